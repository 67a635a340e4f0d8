package dev.strata.ops.monitor;

import dev.strata.core.topology.Kind;
import java.util.List;
import java.util.Map;

/**
 * The metric names Strata documents (docs/monitoring.md) and its rules and dashboard use, per
 * exporter: an integration test checks that the real exporters serve each one.
 */
public final class ExporterMetrics {
  private ExporterMetrics() {}

  /** Names by exporter kind. */
  public static final Map<Kind, List<String>> DOCUMENTED =
      Map.of(
          Kind.PG_EXPORTER,
          List.of(
              "pg_up",
              "pg_stat_activity_count",
              "pg_stat_activity_max_tx_duration",
              "pg_settings_max_connections",
              "pg_settings_superuser_reserved_connections",
              "pg_stat_database_xact_commit",
              "pg_stat_database_blks_hit",
              "pg_stat_database_blks_read",
              "pg_stat_database_deadlocks",
              "pg_database_size_bytes",
              "pg_locks_count",
              "pg_replication_lag",
              "pg_replication_is_replica",
              "pg_stat_user_tables_n_live_tup",
              "pg_stat_user_tables_n_dead_tup",
              "pg_stat_user_tables_seq_scan",
              "pg_stat_user_tables_idx_scan",
              "pg_database_xid_age",
              "pg_long_transactions_max_seconds",
              "pg_slow_queries_over_1s",
              "pg_slow_queries_over_100ms",
              "pg_reserved_connections_superuser",
              "pg_reserved_connections_reserved"),
          Kind.REDIS_EXPORTER,
          List.of(
              "redis_up",
              "redis_memory_used_bytes",
              "redis_memory_max_bytes",
              "redis_connected_clients",
              "redis_rejected_connections_total",
              "redis_keyspace_hits_total",
              "redis_keyspace_misses_total",
              "redis_evicted_keys_total",
              "redis_rdb_last_save_timestamp_seconds",
              "redis_rdb_last_bgsave_status"),
          Kind.NODE_EXPORTER,
          List.of("node_filesystem_avail_bytes", "node_filesystem_size_bytes"),
          Kind.PGBOUNCER_EXPORTER,
          List.of(
              "pgbouncer_up",
              "pgbouncer_active_clients",
              "pgbouncer_waiting_clients",
              "pgbouncer_max_wait_seconds",
              "pgbouncer_active_servers",
              "pgbouncer_idle_servers",
              "pgbouncer_queries_pooled_total",
              "pgbouncer_transactions_pooled_total",
              "pgbouncer_pool_size",
              "pgbouncer_used_clients"));
}
