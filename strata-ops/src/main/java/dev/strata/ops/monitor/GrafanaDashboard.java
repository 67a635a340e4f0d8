package dev.strata.ops.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Grafana dashboard of the stack on the exporters' metrics (import it, pick the Prometheus data
 * source): connections, TPS, cache hit ratio, replication lag, Redis memory and hit ratio,
 * PgBouncer waiting clients, firing alerts.
 */
final class GrafanaDashboard {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GrafanaDashboard() {}

  static String json() {
    ObjectNode d = JSON.createObjectNode();
    d.put("title", "Strata stack");
    d.put("uid", "strata-stack");
    d.put("schemaVersion", 38);
    d.put("refresh", "30s");
    d.putObject("time").put("from", "now-6h").put("to", "now");
    ObjectNode input = d.putArray("__inputs").addObject();
    input.put("name", "DS_PROMETHEUS").put("type", "datasource").put("pluginId", "prometheus");
    input.put("label", "Prometheus");
    ArrayNode panels = d.putArray("panels");
    int[] n = {0};
    panel(panels, n, "PostgreSQL connections", "sum by (state) (pg_stat_activity_count)", "short");
    panel(
        panels, n, "Transactions per second", "sum(rate(pg_stat_database_xact_commit[5m]))", "ops");
    panel(
        panels,
        n,
        "Cache hit ratio",
        "sum(rate(pg_stat_database_blks_hit[5m])) / (sum(rate(pg_stat_database_blks_hit[5m])) +"
            + " sum(rate(pg_stat_database_blks_read[5m])))",
        "percentunit");
    panel(panels, n, "Replication lag", "max by (instance) (pg_replication_lag)", "s");
    panel(panels, n, "Redis memory", "redis_memory_used_bytes", "bytes");
    panel(
        panels,
        n,
        "Redis hit ratio",
        "rate(redis_keyspace_hits_total[5m]) / (rate(redis_keyspace_hits_total[5m]) +"
            + " rate(redis_keyspace_misses_total[5m]))",
        "percentunit");
    panel(
        panels,
        n,
        "PgBouncer clients waiting",
        "sum by (database) (pgbouncer_waiting_clients)",
        "short");
    panel(
        panels, n, "Firing alerts", "sum by (alertname) (ALERTS{alertstate=\"firing\"})", "short");
    return d.toPrettyString() + "\n";
  }

  private static void panel(ArrayNode panels, int[] n, String title, String expr, String unit) {
    int i = n[0]++;
    ObjectNode p = panels.addObject();
    p.put("id", i + 1);
    p.put("type", "timeseries");
    p.put("title", title);
    p.putObject("datasource").put("type", "prometheus").put("uid", "${DS_PROMETHEUS}");
    p.putObject("gridPos").put("h", 8).put("w", 12).put("x", (i % 2) * 12).put("y", (i / 2) * 8);
    p.putObject("fieldConfig").putObject("defaults").put("unit", unit);
    p.putArray("targets").addObject().put("expr", expr).put("refId", "A");
  }
}
