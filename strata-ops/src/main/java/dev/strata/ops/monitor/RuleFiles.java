package dev.strata.ops.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus rule files and their {@code promtool test rules} files, written as YAML. Strings are
 * double-quoted with JSON escapes, which YAML reads the same way, so PromQL needs no other care.
 */
public final class RuleFiles {
  private RuleFiles() {}

  /** The rule file: one group per engine, each rule with {@code for:}, severity and a runbook. */
  public static String rules(List<Rule> rules) {
    Map<String, StringBuilder> groups = new LinkedHashMap<>();
    for (Rule r : rules) {
      StringBuilder g = groups.computeIfAbsent(r.group(), k -> new StringBuilder());
      g.append("      - alert: ").append(r.name()).append('\n');
      g.append("        expr: ").append(q(r.expr())).append('\n');
      g.append("        for: ").append(PromDuration.of(r.holdFor())).append('\n');
      g.append("        labels:\n          severity: ").append(r.severity()).append('\n');
      g.append("        annotations:\n");
      g.append("          summary: ").append(q(r.summary())).append('\n');
      g.append("          runbook: ").append(q(r.runbook())).append('\n');
    }
    StringBuilder y = new StringBuilder("# Written by Strata from strata.yaml's alerts section.\n");
    y.append("groups:\n");
    groups.forEach(
        (name, body) ->
            y.append("  - name: strata-").append(name).append("\n    rules:\n").append(body));
    return y.toString();
  }

  /**
   * The promtool unit tests of {@code rules} (in the file {@code ruleFile}): one case per rule,
   * with series that make it fire and the exact labels of the alert it then raises.
   */
  public static String tests(List<Rule> rules, String ruleFile) {
    StringBuilder y = new StringBuilder("# promtool test rules: one case per alert rule.\n");
    y.append("rule_files:\n  - ").append(q(ruleFile)).append('\n');
    y.append("evaluation_interval: 1m\ntests:\n");
    for (Rule r : rules) {
      y.append("  - name: ").append(q(r.name() + " fires")).append('\n');
      y.append("    interval: 1m\n    input_series:\n");
      for (Map.Entry<String, String> s : new TreeMap<>(r.test().series()).entrySet()) {
        y.append("      - series: ").append(q(s.getKey())).append('\n');
        y.append("        values: ").append(q(s.getValue())).append('\n');
      }
      y.append("    alert_rule_test:\n");
      y.append("      - eval_time: ").append(PromDuration.of(r.testTime())).append('\n');
      y.append("        alertname: ").append(r.name()).append('\n');
      y.append("        exp_alerts:\n          - exp_labels:\n");
      Map<String, String> labels = new TreeMap<>(r.test().labels());
      labels.put("severity", r.severity());
      labels.forEach(
          (k, v) -> y.append("              ").append(k).append(": ").append(q(v)).append('\n'));
      y.append("            exp_annotations:\n");
      y.append("              summary: ").append(q(expand(r.summary(), labels))).append('\n');
      y.append("              runbook: ").append(q(r.runbook())).append('\n');
    }
    return y.toString();
  }

  /** A summary template with its {@code {{ $labels.x }}} filled in, as Prometheus renders it. */
  static String expand(String template, Map<String, String> labels) {
    String out = template;
    for (Map.Entry<String, String> l : labels.entrySet()) {
      out = out.replace("{{ $labels." + l.getKey() + " }}", l.getValue());
    }
    return out;
  }

  /** A YAML double-quoted scalar. */
  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
