package dev.strata.ops.monitor;

import dev.strata.core.spec.AlertsSpec;
import dev.strata.core.spec.Receiver;

/**
 * alertmanager.yml from {@code alerts}: one route per receiver (each gets every alert), grouped by
 * alert and instance, resolved notifications on. It holds webhook URLs and PagerDuty keys, so it is
 * written readable by its owner only.
 */
public final class AlertmanagerConfig {
  /** The route's fallback when no receiver is configured: Alertmanager needs one. */
  static final String NOWHERE = "strata-nowhere";

  /** The label of a test alert: the one receiver that gets it. */
  public static final String TEST_LABEL = "strata_test_receiver";

  private AlertmanagerConfig() {}

  /** The configuration Alertmanager runs with. */
  public static String render(AlertsSpec alerts) {
    StringBuilder y = new StringBuilder("# Written by strata up from strata.yaml: edit that.\n");
    y.append("route:\n");
    y.append("  receiver: ").append(NOWHERE).append('\n');
    y.append("  group_by: [alertname, instance]\n");
    y.append("  group_wait: ").append(PromDuration.of(alerts.groupWait())).append('\n');
    y.append("  group_interval: ").append(PromDuration.of(alerts.groupInterval())).append('\n');
    y.append("  repeat_interval: ").append(PromDuration.of(alerts.repeatInterval())).append('\n');
    if (!alerts.receivers().isEmpty()) {
      y.append("  routes:\n");
      for (Receiver r : alerts.receivers()) {
        // Every alert goes to every receiver; `strata alerts test NAME` labels its alert so that
        // only NAME gets it.
        y.append("    - receiver: ").append(quote(r.name())).append("\n      continue: true\n");
        y.append("      matchers:\n        - '")
            .append(TEST_LABEL)
            .append("=~\"|")
            .append(r.name())
            .append("\"'\n");
      }
    }
    y.append("receivers:\n  - name: ").append(NOWHERE).append('\n');
    for (Receiver r : alerts.receivers()) {
      y.append("  - name: ").append(quote(r.name())).append('\n');
      y.append(receiver(r));
    }
    return y.toString();
  }

  private static String receiver(Receiver r) {
    return switch (r.type()) {
      case "slack" ->
          "    slack_configs:\n      - api_url: "
              + quote(r.url())
              + "\n        send_resolved: true\n"
              + "        title: '{{ .Status | toUpper }}: {{ .CommonLabels.alertname }}'\n"
              + "        text: '{{ range .Alerts }}{{ .Annotations.summary }} ({{ .Labels.instance }},"
              + " {{ .Labels.severity }}) runbook: {{ .Annotations.runbook }}. {{ end }}'\n";
      case "discord" ->
          "    discord_configs:\n      - webhook_url: "
              + quote(r.url())
              + "\n        send_resolved: true\n";
      case "webhook" ->
          "    webhook_configs:\n      - url: "
              + quote(r.url())
              + "\n        send_resolved: true\n";
      case "pagerduty" ->
          "    pagerduty_configs:\n      - routing_key: "
              + quote(r.routingKey().orElseThrow())
              + "\n        url: "
              + quote(r.url())
              + "\n        send_resolved: true\n"
              + "        severity: '{{ if eq .CommonLabels.severity \"critical\" }}critical{{ else"
              + " }}warning{{ end }}'\n";
      default -> throw new IllegalArgumentException("receiver type " + r.type());
    };
  }

  /** A YAML double-quoted string. */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
