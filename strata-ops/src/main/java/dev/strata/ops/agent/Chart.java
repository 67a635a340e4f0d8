package dev.strata.ops.agent;

import java.util.List;

/**
 * One chart of the dashboard: the PromQL that draws it from Prometheus, and the name of the agent's
 * own sampled series that draws it when no Prometheus runs.
 *
 * @param id the series name in {@code /api/history}
 * @param title what the dashboard writes above it
 * @param unit {@code count}, {@code per_s}, {@code ratio}, {@code seconds} or {@code bytes}
 *     <p>A ratio over an idle interval is 0 / 0: Prometheus answers NaN, which leaves a gap.
 * @param promql the query over the metrics the exporters serve as Strata runs them (their names in
 *     {@code dev.strata.ops.monitor.ExporterMetrics}: Debian's pgbouncer_exporter says {@code
 *     pgbouncer_waiting_clients}, newer ones {@code pgbouncer_pools_client_waiting_connections})
 */
record Chart(String id, String title, String unit, String promql) {

  /** The dashboard's charts, in display order. */
  static final List<Chart> ALL =
      List.of(
          new Chart(
              "connections",
              "PostgreSQL connections",
              "count",
              "sum(pg_stat_database_numbackends)"),
          new Chart(
              "tps",
              "Transactions per second",
              "per_s",
              "sum(rate(pg_stat_database_xact_commit[1m])) + sum(rate(pg_stat_database_xact_rollback[1m]))"),
          new Chart(
              "cache_hit_ratio",
              "PostgreSQL cache hit ratio",
              "ratio",
              "sum(rate(pg_stat_database_blks_hit[5m])) / (sum(rate(pg_stat_database_blks_hit[5m])) + sum(rate(pg_stat_database_blks_read[5m])))"),
          new Chart(
              "replication_lag",
              "Replication lag",
              "seconds",
              "max(pg_replication_lag) or vector(0)"),
          new Chart("redis_memory", "Redis memory", "bytes", "sum(redis_memory_used_bytes)"),
          new Chart(
              "redis_hit_ratio",
              "Redis hit ratio",
              "ratio",
              "sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m])) + sum(rate(redis_keyspace_misses_total[5m])))"),
          new Chart(
              "pool_waiting",
              "PgBouncer clients waiting",
              "count",
              "sum(pgbouncer_waiting_clients) or sum(pgbouncer_pools_client_waiting_connections)"));
}
