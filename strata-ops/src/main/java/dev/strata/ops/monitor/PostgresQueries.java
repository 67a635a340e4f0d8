package dev.strata.ops.monitor;

/**
 * The exporter's extra queries ({@code --extend.query-path}): what the alert rules need that
 * postgres_exporter 0.11 does not collect by default. Each is one cheap catalogue query.
 */
final class PostgresQueries {
  private PostgresQueries() {}

  static final String YAML =
      """
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
