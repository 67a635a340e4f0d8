package dev.strata.ops.backup;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a drill found.
 *
 * @param ok whether every check passed
 * @param at when it ended
 * @param backupSet the set it restored
 * @param target where recovery stopped
 * @param rtoMillis from the start of the restore until the copy answered, promoted
 * @param checks each check and its result
 */
public record DrillResult(
    boolean ok, Instant at, String backupSet, String target, long rtoMillis, List<Check> checks) {

  /** One check of a drill. */
  public record Check(String name, boolean ok, String detail) {}

  /** The JSON form: {@code ok}, {@code rto_ms}, {@code backup_set}, {@code checks}... */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", ok);
    m.put("at", at.toString());
    m.put("backup_set", backupSet);
    m.put("target", target);
    m.put("rto_ms", rtoMillis);
    m.put(
        "checks",
        checks.stream()
            .map(
                c -> {
                  Map<String, Object> cm = new LinkedHashMap<>();
                  cm.put("name", c.name());
                  cm.put("ok", c.ok());
                  cm.put("detail", c.detail());
                  return cm;
                })
            .toList());
    return m;
  }
}
