package dev.strata.ops.monitor;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One alert rule: its PromQL, how long it must hold ({@code for:}), its severity, a summary and a
 * runbook line, and the {@code promtool test rules} case that proves it fires.
 *
 * @param test input series that make it fire and the labels the alert then has
 */
record Rule(
    String group,
    String name,
    String expr,
    Duration holdFor,
    String severity,
    String summary,
    String runbook,
    Case test) {

  /**
   * A {@code promtool test rules} case: series in promtool's expanding notation ({@code '1+0x20'}),
   * one sample a minute, and the labels the alert has once it fires ({@code severity} and {@code
   * alertname} added).
   */
  record Case(Map<String, String> series, Map<String, String> labels, Duration at) {}

  /** A case evaluated 10 minutes after the rule's {@code for:} (rate windows are 5 minutes). */
  static Case fires(Map<String, String> series, Map<String, String> labels) {
    return new Case(series, labels, null);
  }

  /** A case evaluated at {@code at}. */
  static Case firesAt(Duration at, Map<String, String> series, Map<String, String> labels) {
    return new Case(series, labels, at);
  }

  /** When the test case looks for the alert. */
  Duration testTime() {
    return test.at() != null ? test.at() : holdFor.plusMinutes(10);
  }

  static List<Rule> of(Rule... rules) {
    return List.of(rules);
  }
}
