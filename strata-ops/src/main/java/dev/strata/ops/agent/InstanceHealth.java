package dev.strata.ops.agent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the supervisor knows of one instance.
 *
 * @param id the instance ({@code redis-1})
 * @param up whether its process was alive at the last check
 * @param pid its process at the last check
 * @param restarts how many times the agent restarted it
 * @param lastRestart when it last did
 * @param lastReason why: what it saw ({@code process 1234 exited})
 * @param failures consecutive failed restart attempts
 * @param lastError the last failed attempt's message
 */
record InstanceHealth(
    String id,
    boolean up,
    Optional<Long> pid,
    int restarts,
    Optional<Instant> lastRestart,
    Optional<String> lastReason,
    int failures,
    Optional<String> lastError) {

  static InstanceHealth initial(String id, Optional<Long> pid) {
    return new InstanceHealth(
        id, pid.isPresent(), pid, 0, Optional.empty(), Optional.empty(), 0, Optional.empty());
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("up", up);
    m.put("pid", pid.orElse(null));
    m.put("restarts", restarts);
    m.put("last_restart", lastRestart.map(Instant::toString).orElse(null));
    m.put("last_reason", lastReason.orElse(null));
    m.put("failures", failures);
    m.put("last_error", lastError.orElse(null));
    return m;
  }
}
