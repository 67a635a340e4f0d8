package dev.strata.ops.agent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a scheduled job.
 *
 * @param job its name
 * @param start when it started
 * @param millis how long it ran
 * @param ok whether it succeeded
 * @param message the failure's message, or what it made
 */
record JobRun(String job, Instant start, long millis, boolean ok, String message) {
  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job", job);
    m.put("start", start.toString());
    m.put("millis", millis);
    m.put("ok", ok);
    m.put("message", message);
    return m;
  }
}
