package dev.strata.ops.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.spec.MonitoringSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's Prometheus: scrapes every target listed in {@code .strata/prometheus/targets/*.json}
 * (file_sd: the exporters' file is written here, the agent and Patroni drop their own beside it and
 * are scraped without a change here), evaluates the generated rules, sends alerts to the stack's
 * Alertmanager, and keeps samples for {@code monitoring.retention}.
 */
public final class PrometheusServer extends DetachedServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The folder, under Prometheus's own, that file_sd reads: any {@code *.json} there is scraped.
   */
  public static final String TARGETS = "targets";

  PrometheusServer(ComponentContext context, Instance instance) {
    super(context, instance, MonitoringBinaries.PROMETHEUS);
  }

  @Override
  public List<String> dependsOn() {
    return context.topology().of(Kind.ALERTMANAGER).stream().map(Instance::id).toList();
  }

  @Override
  protected Map<String, String> files() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("prometheus.yml", config());
    files.put(TARGETS + "/strata.json", Targets.json(context.topology()));
    files.put(
        "rules/strata.rules.yml",
        RuleFiles.rules(AlertRules.of(context.spec(), DiskMounts.of(context))));
    return files;
  }

  private String config() {
    MonitoringSpec m = context.spec().monitoring();
    Duration timeout =
        m.scrapeInterval().compareTo(Duration.ofSeconds(10)) < 0
            ? m.scrapeInterval()
            : Duration.ofSeconds(10);
    StringBuilder y = new StringBuilder("# Written by strata up from strata.yaml: edit that.\n");
    y.append("global:\n");
    y.append("  scrape_interval: ").append(PromDuration.of(m.scrapeInterval())).append('\n');
    y.append("  scrape_timeout: ").append(PromDuration.of(timeout)).append('\n');
    y.append("  evaluation_interval: ")
        .append(PromDuration.of(m.evaluationInterval()))
        .append('\n');
    y.append("rule_files:\n  - ").append(dir.resolve("rules")).append("/*.yml\n");
    List<Instance> alertmanagers = context.topology().of(Kind.ALERTMANAGER);
    if (!alertmanagers.isEmpty()) {
      y.append("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['")
          .append(alertmanagers.get(0).endpoint())
          .append("']\n");
    }
    // One job for every file: each target's own "job" label (set in its file) names it.
    y.append("scrape_configs:\n  - job_name: strata\n    file_sd_configs:\n      - files: ['")
        .append(dir.resolve(TARGETS))
        .append("/*.json']\n        refresh_interval: 30s\n");
    return y.toString();
  }

  @Override
  protected List<String> arguments() {
    List<String> args = new ArrayList<>();
    args.add("--config.file=" + dir.resolve("prometheus.yml"));
    args.add("--storage.tsdb.path=" + dir.resolve("data"));
    args.add(
        "--storage.tsdb.retention.time="
            + PromDuration.of(context.spec().monitoring().retention()));
    args.add("--web.listen-address=" + instance.endpoint());
    args.add("--log.level=warn");
    return args;
  }

  /** {@code targets: 6/6 up}: how many of the targets it scrapes answered their last scrape. */
  @Override
  public Map<String, String> details() {
    return get("/api/v1/targets?state=active")
        .filter(r -> r.statusCode() == 200)
        .map(
            r -> {
              try {
                JsonNode active = JSON.readTree(r.body()).path("data").path("activeTargets");
                long up = 0;
                for (JsonNode t : active) {
                  up += t.path("health").asText().equals("up") ? 1 : 0;
                }
                return Map.of("targets", up + "/" + active.size() + " up");
              } catch (java.io.IOException e) {
                return Map.<String, String>of();
              }
            })
        .orElse(Map.of());
  }

  /** Prometheus re-reads its configuration, targets and rules on SIGHUP. */
  @Override
  public void reload() {
    hangUp();
  }

  @Override
  protected String healthPath() {
    return "/-/ready";
  }
}
