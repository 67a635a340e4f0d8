package dev.strata.ops.monitor;

import dev.strata.core.topology.Instance;
import dev.strata.ops.component.ComponentContext;
import java.util.List;
import java.util.Map;

/**
 * Debian's prometheus-alertmanager: groups, deduplicates and resolves the alerts Prometheus sends,
 * and notifies every receiver of {@code alerts.receivers} (Slack, Discord, PagerDuty Events v2, a
 * plain webhook). Clustering is off: one Alertmanager per stack, no gossip port.
 */
public final class AlertmanagerServer extends DetachedServer {

  AlertmanagerServer(ComponentContext context, Instance instance) {
    super(context, instance, MonitoringBinaries.ALERTMANAGER);
  }

  @Override
  public List<String> dependsOn() {
    return List.of();
  }

  @Override
  protected Map<String, String> files() {
    return Map.of("alertmanager.yml", AlertmanagerConfig.render(context.spec().alerts()));
  }

  @Override
  protected List<String> arguments() {
    return List.of(
        "--config.file=" + dir.resolve("alertmanager.yml"),
        "--storage.path=" + dir.resolve("data"),
        "--web.listen-address=" + instance.endpoint(),
        "--cluster.listen-address=",
        // debug: the only level at which it logs a delivery ("Notify success") with its
        // receiver, which strata alerts test reads.
        "--log.level=debug");
  }

  @Override
  protected String processName() {
    return "prometheus-alertmanager";
  }

  /** {@code firing: 2}: the alerts active now, and the receivers it notifies. */
  @Override
  public Map<String, String> details() {
    java.util.Map<String, String> d = new java.util.LinkedHashMap<>();
    get("/api/v2/alerts?active=true&silenced=false&inhibited=false")
        .filter(r -> r.statusCode() == 200)
        .ifPresent(
            r ->
                d.put(
                    "firing", Integer.toString(r.body().split("\"fingerprint\"", -1).length - 1)));
    d.put("receivers", Integer.toString(context.spec().alerts().receivers().size()));
    return d;
  }

  /** Alertmanager re-reads its configuration on SIGHUP. */
  @Override
  public void reload() {
    hangUp();
  }

  @Override
  protected String healthPath() {
    return "/-/healthy";
  }
}
