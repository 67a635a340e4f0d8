package dev.strata.ops.advisor;

import java.util.HashMap;
import java.util.Map;

/** The {@code field:value} lines of Redis's INFO, as a map. */
final class RedisInfo {
  private final Map<String, String> fields = new HashMap<>();

  RedisInfo(String info) {
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
  }

  String get(String field) {
    return fields.getOrDefault(field, "");
  }

  long number(String field) {
    try {
      return Long.parseLong(get(field));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  double decimal(String field) {
    try {
      return Double.parseDouble(get(field));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** {@code db0:keys=3,expires=1,avg_ttl=0} → keys of every database. */
  long keys() {
    long n = 0;
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (e.getKey().matches("db\\d+")) {
        for (String part : e.getValue().split(",")) {
          if (part.startsWith("keys=")) {
            n += Long.parseLong(part.substring(5));
          }
        }
      }
    }
    return n;
  }
}
