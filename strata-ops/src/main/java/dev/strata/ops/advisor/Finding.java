package dev.strata.ops.advisor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One judged measurement of a check.
 *
 * @param check what was measured ({@code connections}, {@code duplicate_index}…)
 * @param subject what it was measured on ({@code app.public.orders}, {@code redis-1})
 * @param verdict ok, warn or critical
 * @param value the measured value, as text with its unit
 * @param threshold the threshold it was judged by, with the strata.yaml key that sets it; empty
 *     when the finding is a fact without threshold (a duplicate index is always a warning)
 * @param detail what it means and what to do
 */
public record Finding(
    String check, String subject, Verdict verdict, String value, String threshold, String detail) {

  static Finding ok(String check, String subject, String value, String threshold) {
    return new Finding(check, subject, Verdict.OK, value, threshold, "");
  }

  /** The finding as JSON fields, in a fixed order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("check", check);
    m.put("subject", subject);
    m.put("verdict", verdict.label());
    m.put("value", value);
    m.put("threshold", threshold);
    m.put("detail", detail);
    return m;
  }
}
