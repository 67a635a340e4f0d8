package dev.strata.core.spec;

import java.time.Duration;
import java.util.List;

/**
 * The {@code monitoring} section: the standard exporters (postgres, redis, pgbouncer), a Prometheus
 * that scrapes them and evaluates the alert rules, and an Alertmanager that sends the notifications
 * of {@code alerts.receivers}. On by default for {@code strata up}; strata-test turns it off unless
 * a test asks for it.
 *
 * @param enabled whether the stack runs the exporters, Prometheus and Alertmanager
 * @param retention how long Prometheus keeps samples
 * @param scrapeInterval how often Prometheus scrapes every target
 * @param evaluationInterval how often Prometheus evaluates the alert rules
 */
public record MonitoringSpec(
    boolean enabled,
    Duration retention,
    Duration scrapeInterval,
    Duration evaluationInterval,
    int prometheusPort,
    int alertmanagerPort,
    int postgresExporterPort,
    int redisExporterPort,
    int pgbouncerExporterPort,
    int nodeExporterPort) {

  public static final Key<Boolean> ENABLED =
      Key.of(
          "enabled",
          Types.bool(),
          true,
          "Run the exporters, Prometheus and Alertmanager with the stack (off in strata-test).");
  public static final Key<Duration> RETENTION =
      Key.of(
          "retention",
          Types.duration(),
          Duration.ofDays(15),
          "How long Prometheus keeps samples (storage.tsdb.retention.time).");
  public static final Key<Duration> SCRAPE_INTERVAL =
      Key.of(
          "scrape_interval",
          Types.duration(),
          Duration.ofSeconds(15),
          "How often Prometheus scrapes every exporter.");
  public static final Key<Duration> EVALUATION_INTERVAL =
      Key.of(
          "evaluation_interval",
          Types.duration(),
          Duration.ofSeconds(15),
          "How often Prometheus evaluates the alert rules.");
  public static final Key<Integer> PROMETHEUS_PORT =
      Key.of("prometheus_port", Types.port(), 0, "Port of Prometheus (0 picks a free one).");
  public static final Key<Integer> ALERTMANAGER_PORT =
      Key.of("alertmanager_port", Types.port(), 0, "Port of Alertmanager (0 picks a free one).");
  public static final Key<Integer> POSTGRES_EXPORTER_PORT =
      Key.of(
          "postgres_exporter_port",
          Types.port(),
          0,
          "Port of prometheus-postgres-exporter (0 picks a free one).");
  public static final Key<Integer> REDIS_EXPORTER_PORT =
      Key.of(
          "redis_exporter_port",
          Types.port(),
          0,
          "Port of prometheus-redis-exporter (0 picks a free one).");
  public static final Key<Integer> PGBOUNCER_EXPORTER_PORT =
      Key.of(
          "pgbouncer_exporter_port",
          Types.port(),
          0,
          "Port of prometheus-pgbouncer-exporter (0 picks a free one).");

  public static final Key<Integer> NODE_EXPORTER_PORT =
      Key.of(
          "node_exporter_port",
          Types.port(),
          0,
          "Port of prometheus-node-exporter, which reports disk use (0 picks a free one).");

  public static final Section<MonitoringSpec> SECTION =
      new Section<>(
          "monitoring",
          "Exporters, Prometheus and Alertmanager (docs/monitoring.md)",
          List.of(
              ENABLED,
              RETENTION,
              SCRAPE_INTERVAL,
              EVALUATION_INTERVAL,
              PROMETHEUS_PORT,
              ALERTMANAGER_PORT,
              POSTGRES_EXPORTER_PORT,
              REDIS_EXPORTER_PORT,
              PGBOUNCER_EXPORTER_PORT,
              NODE_EXPORTER_PORT),
          v ->
              new MonitoringSpec(
                  v.get(ENABLED),
                  v.get(RETENTION),
                  v.get(SCRAPE_INTERVAL),
                  v.get(EVALUATION_INTERVAL),
                  v.get(PROMETHEUS_PORT),
                  v.get(ALERTMANAGER_PORT),
                  v.get(POSTGRES_EXPORTER_PORT),
                  v.get(REDIS_EXPORTER_PORT),
                  v.get(PGBOUNCER_EXPORTER_PORT),
                  v.get(NODE_EXPORTER_PORT)));
}
