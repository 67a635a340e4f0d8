package dev.strata.ops.advisor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing {@code strata maintain} did, would do, or only reports.
 *
 * @param kind {@code vacuum}, {@code reindex}, {@code drop_index}, {@code memory_purge}, {@code
 *     report}
 * @param target what it acts on ({@code app.public.orders}, {@code redis})
 * @param reason the measured value and the threshold that called for it
 * @param command the SQL or Redis command it runs (or would run)
 * @param outcome what happened
 * @param before the figures measured before it ran (dead rows, bytes…)
 * @param after the same figures after it ran; empty unless it ran
 * @param error why it failed; empty otherwise
 */
public record MaintenanceAction(
    String kind,
    String target,
    String reason,
    String command,
    Outcome outcome,
    Map<String, Object> before,
    Map<String, Object> after,
    String error) {

  /** What became of an action. */
  public enum Outcome {
    /** It ran. */
    DONE,
    /** A dry run: it would run. */
    PLANNED,
    /** Reported only: dropping an index needs {@code --apply}; a big key is the user's call. */
    REPORTED,
    /** Not run, for the reason given in {@code error} (a table another role owns). */
    SKIPPED,
    /** It ran and failed. */
    FAILED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public MaintenanceAction {
    // figures may hold SQL NULLs, which Map.copyOf refuses
    before = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(before));
    after = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(after));
  }

  /** The action as JSON fields, in a fixed order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("target", target);
    m.put("reason", reason);
    m.put("command", command);
    m.put("outcome", outcome.label());
    m.put("before", new java.util.TreeMap<>(before));
    m.put("after", new java.util.TreeMap<>(after));
    m.put("error", error);
    return m;
  }
}
