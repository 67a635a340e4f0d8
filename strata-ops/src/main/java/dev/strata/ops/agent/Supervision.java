package dev.strata.ops.agent;

import dev.strata.core.env.AgentAddress;
import dev.strata.core.env.StateDir;
import dev.strata.core.io.PropertiesFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The supervisor's record of restarts in {@code .strata/agent/supervision.properties}, so {@code
 * strata status} shows them without asking the agent (and after it stopped).
 */
public final class Supervision {
  private Supervision() {}

  static Path file(StateDir dir) {
    return AgentAddress.folder(dir).resolve("supervision.properties");
  }

  static void write(StateDir dir, List<InstanceHealth> instances) {
    Map<String, String> values = new LinkedHashMap<>();
    for (InstanceHealth h : instances) {
      values.put(h.id() + ".restarts", Integer.toString(h.restarts()));
      h.lastRestart().ifPresent(t -> values.put(h.id() + ".last_restart", t.toString()));
      h.lastReason().ifPresent(r -> values.put(h.id() + ".last_reason", r));
      if (h.failures() > 0) {
        values.put(h.id() + ".failed_attempts", Integer.toString(h.failures()));
        h.lastError().ifPresent(e -> values.put(h.id() + ".last_error", e));
      }
    }
    PropertiesFile.write(file(dir), values, "restarts by the strata agent", "rw-r--r--");
  }

  /**
   * What the agent reported of one instance — {@code restarts}, {@code last_restart}, {@code
   * last_reason}, and {@code failed_attempts}/{@code last_error} while it fails — in that order;
   * empty when the agent never restarted it.
   */
  public static Map<String, String> details(StateDir dir, String instance) {
    Map<String, String> all = PropertiesFile.read(file(dir), "delete " + file(dir));
    Map<String, String> mine = new LinkedHashMap<>();
    if ("0".equals(all.getOrDefault(instance + ".restarts", "0"))
        && !all.containsKey(instance + ".failed_attempts")) {
      return mine;
    }
    for (String k :
        List.of("restarts", "last_restart", "last_reason", "failed_attempts", "last_error")) {
      String v = all.get(instance + "." + k);
      if (v != null) {
        mine.put(k, v);
      }
    }
    return mine;
  }
}
