package dev.strata.ops.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.ops.backup.BackupSet;
import dev.strata.ops.backup.Backups;
import dev.strata.ops.backup.Drill;
import dev.strata.ops.stack.Stack;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's sections beyond health and charts — slow queries, sizes, backups and drills,
 * firing alerts, advisor findings — each a map with {@code available} and either its rows or the
 * {@code reason} it is not available (no pg_stat_statements, backups off, no Alertmanager...).
 */
final class Insights {
  private static final long BACKUP_CACHE_MS = 60_000;

  private final Stack stack;
  private final MonitorConnections connections;
  private final PrometheusApi api;
  private final MeterRegistry registry;
  private Map<String, Object> backups;
  private long backupsAt;

  Insights(Stack stack, MonitorConnections connections, PrometheusApi api, MeterRegistry registry) {
    this.stack = stack;
    this.connections = connections;
    this.api = api;
    this.registry = registry;
  }

  static Map<String, Object> unavailable(String reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("available", false);
    m.put("reason", reason);
    return m;
  }

  private static Map<String, Object> available(String key, Object rows) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("available", true);
    m.put(key, rows);
    return m;
  }

  /** The ten statements slowest on average, from pg_stat_statements (not the agent's own). */
  Map<String, Object> slowQueries() {
    try {
      Statement st = connections.postgres().createStatement();
      try (st) {
        ResultSet has =
            st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
        if (!has.next()) {
          return unavailable(
              "pg_stat_statements is not installed: add it to postgres.extensions and run strata up");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ResultSet rs =
            st.executeQuery(
                "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 200), calls,"
                    + " round(mean_exec_time::numeric, 2), round(total_exec_time::numeric, 1)"
                    // A role's statement carries its SCRAM verifier: never shown.
                    + " FROM pg_stat_statements WHERE query !~* 'password'"
                    // Not the agent's own statements (it samples as the monitoring role), nor
                    // its heartbeat.
                    + " AND userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                    + " AND query !~ 'strata\\.heartbeat|CREATE SCHEMA IF NOT EXISTS strata'"
                    + " ORDER BY mean_exec_time DESC LIMIT 10")) {
          while (rs.next()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("query", rs.getString(1));
            r.put("calls", rs.getLong(2));
            r.put("mean_ms", rs.getDouble(3));
            r.put("total_ms", rs.getDouble(4));
            rows.add(r);
          }
        }
        return available("rows", rows);
      }
    } catch (SQLException | RuntimeException e) {
      return unavailable("PostgreSQL did not answer: " + e.getMessage());
    }
  }

  /** Each database's size, and the largest tables of the primary database with their indexes. */
  Map<String, Object> sizes() {
    try (Statement st = connections.postgres().createStatement()) {
      List<Map<String, Object>> dbs = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT datname, pg_database_size(oid) FROM pg_database"
                  + " WHERE NOT datistemplate ORDER BY 2 DESC")) {
        while (rs.next()) {
          dbs.add(Map.of("name", rs.getString(1), "bytes", rs.getLong(2)));
        }
      }
      List<Map<String, Object>> tables = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT n.nspname || '.' || c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid)"
                  + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                  + " WHERE c.relkind IN ('r', 'p', 'm')"
                  + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                  + " ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 10")) {
        while (rs.next()) {
          tables.add(
              Map.of(
                  "name",
                  rs.getString(1),
                  "table_bytes",
                  rs.getLong(2),
                  "index_bytes",
                  rs.getLong(3)));
        }
      }
      Map<String, Object> m = available("databases", dbs);
      m.put("tables", tables);
      return m;
    } catch (SQLException | RuntimeException e) {
      return unavailable("PostgreSQL did not answer: " + e.getMessage());
    }
  }

  /** The backup sets and recorded drills (read from pgBackRest at most once a minute). */
  synchronized Map<String, Object> backups() {
    if (!stack.spec().backup().enabled()) {
      return unavailable("backups are off (backup.enabled: false)");
    }
    long now = System.currentTimeMillis();
    if (backups != null && now - backupsAt < BACKUP_CACHE_MS) {
      return backups;
    }
    try {
      Backups b = new Backups(stack.context(), line -> {});
      List<Map<String, Object>> sets = new ArrayList<>();
      for (BackupSet s : b.list()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", s.label());
        r.put("type", s.type());
        r.put("stop", s.stop().toString());
        r.put("repository_bytes", s.repositorySize());
        sets.add(r);
      }
      Map<String, Object> m = available("sets", sets);
      m.put("drills", Drill.recorded(b.engine()));
      backups = m;
    } catch (RuntimeException e) {
      backups = unavailable("pgBackRest did not answer: " + e.getMessage());
    }
    backupsAt = now;
    return backups;
  }

  /** The firing alerts, from Alertmanager (or Prometheus) when monitoring runs. */
  Map<String, Object> alerts(Optional<String> alertmanager, Optional<String> prometheus) {
    try {
      List<Map<String, Object>> firing = new ArrayList<>();
      if (alertmanager.isPresent()) {
        for (JsonNode a : api.get(alertmanager.get() + "/api/v2/alerts?active=true")) {
          firing.add(alert(a.path("labels"), a.path("annotations"), a.path("startsAt").asText()));
        }
      } else if (prometheus.isPresent()) {
        for (JsonNode a :
            api.get(prometheus.get() + "/api/v1/alerts").path("data").path("alerts")) {
          if (a.path("state").asText().equals("firing")) {
            firing.add(alert(a.path("labels"), a.path("annotations"), a.path("activeAt").asText()));
          }
        }
      } else {
        return unavailable("monitoring is not running: no Alertmanager or Prometheus to ask");
      }
      return available("firing", firing);
    } catch (java.io.IOException e) {
      return unavailable("Alertmanager did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unavailable("interrupted");
    }
  }

  private static Map<String, Object> alert(JsonNode labels, JsonNode annotations, String since) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", labels.path("alertname").asText());
    m.put("severity", labels.path("severity").asText(""));
    m.put(
        "summary", annotations.path("summary").asText(annotations.path("description").asText("")));
    m.put("since", since);
    return m;
  }

  /**
   * The advisors' figures: every {@code strata_*} meter that a binder of {@link AgentHooks}
   * contributes (not the agent's own {@code strata_agent_*}).
   */
  Map<String, Object> findings() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      String name = m.getId().getName();
      if (!name.startsWith("strata.") || name.startsWith("strata.agent.")) {
        continue;
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("name", name.replace('.', '_'));
      Map<String, String> tags = new LinkedHashMap<>();
      m.getId().getTags().forEach(t -> tags.put(t.getKey(), t.getValue()));
      r.put("labels", tags);
      double value = 0;
      for (Measurement x : m.measure()) {
        value = x.getValue();
        break;
      }
      r.put("value", value);
      rows.add(r);
    }
    rows.sort(
        java.util.Comparator.comparing((Map<String, Object> r) -> (String) r.get("name"))
            .thenComparing(r -> r.get("labels").toString()));
    if (rows.isEmpty()) {
      return unavailable(
          "no advisor is wired into the agent (strata monitor and strata maintain report them)");
    }
    return available("metrics", rows);
  }
}
