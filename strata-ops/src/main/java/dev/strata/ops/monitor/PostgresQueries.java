package dev.strata.ops.monitor;

/**
 * The exporter's extra queries ({@code --extend.query-path}): what the alert rules need that
 * postgres_exporter 0.11 does not collect by default. Each is one cheap catalogue query.
 */
final class PostgresQueries {
  private PostgresQueries() {}

  static final String YAML =
      """
      pg_replication:
        query: "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 ELSE GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())) END AS lag, CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS is_replica"
        master: true
        metrics:
          - lag:
              usage: "GAUGE"
              description: "Replication lag behind the primary in seconds (0 on the primary)"
          - is_replica:
              usage: "GAUGE"
              description: "1 on a replica, 0 on the primary"
      pg_stat_user_tables:
        query: "SELECT current_database() AS datname, schemaname, relname, seq_scan, COALESCE(idx_scan, 0) AS idx_scan, n_live_tup, n_dead_tup, n_mod_since_analyze, COALESCE(EXTRACT(EPOCH FROM last_autovacuum), 0) AS last_autovacuum, COALESCE(EXTRACT(EPOCH FROM last_vacuum), 0) AS last_vacuum FROM pg_stat_user_tables"
        metrics:
          - datname:
              usage: "LABEL"
              description: "Database"
          - schemaname:
              usage: "LABEL"
              description: "Schema"
          - relname:
              usage: "LABEL"
              description: "Table"
          - seq_scan:
              usage: "COUNTER"
              description: "Sequential scans"
          - idx_scan:
              usage: "COUNTER"
              description: "Index scans"
          - n_live_tup:
              usage: "GAUGE"
              description: "Estimated live rows"
          - n_dead_tup:
              usage: "GAUGE"
              description: "Estimated dead rows"
          - n_mod_since_analyze:
              usage: "GAUGE"
              description: "Rows changed since the last ANALYZE"
          - last_autovacuum:
              usage: "GAUGE"
              description: "Last autovacuum (Unix time, 0 never)"
          - last_vacuum:
              usage: "GAUGE"
              description: "Last manual VACUUM (Unix time, 0 never)"
      pg_database_xid:
        query: "SELECT datname, age(datfrozenxid) AS age FROM pg_database WHERE datallowconn"
        master: true
        metrics:
          - datname:
              usage: "LABEL"
              description: "Database"
          - age:
              usage: "GAUGE"
              description: "Age of the oldest unfrozen transaction id (XID wraparound at 2^31)"
      pg_long_transactions:
        query: "SELECT state, count(*) AS count, COALESCE(max(EXTRACT(EPOCH FROM now() - xact_start)), 0) AS max_seconds FROM pg_stat_activity WHERE xact_start IS NOT NULL AND backend_type = 'client backend' GROUP BY state"
        master: true
        metrics:
          - state:
              usage: "LABEL"
              description: "Connection state (active, idle in transaction...)"
          - count:
              usage: "GAUGE"
              description: "Transactions open in this state"
          - max_seconds:
              usage: "GAUGE"
              description: "Age of the oldest open transaction in this state"
      pg_slow_queries:
        query: "SELECT count(*) FILTER (WHERE now() - query_start > interval '1 second') AS over_1s, count(*) FILTER (WHERE now() - query_start > interval '100 milliseconds') AS over_100ms FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        master: true
        metrics:
          - over_1s:
              usage: "GAUGE"
              description: "Statements running longer than 1 s now"
          - over_100ms:
              usage: "GAUGE"
              description: "Statements running longer than 100 ms now"
      pg_reserved_connections:
        query: "SELECT current_setting('superuser_reserved_connections')::int AS superuser, COALESCE(current_setting('reserved_connections', true)::int, 0) AS reserved"
        master: true
        metrics:
          - superuser:
              usage: "GAUGE"
              description: "superuser_reserved_connections"
          - reserved:
              usage: "GAUGE"
              description: "reserved_connections (PostgreSQL 16+; 0 before)"
      """;
}
