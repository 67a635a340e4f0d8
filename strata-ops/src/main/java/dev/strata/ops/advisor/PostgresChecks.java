package dev.strata.ops.advisor;

import static dev.strata.ops.advisor.Rows.asDouble;
import static dev.strata.ops.advisor.Rows.asLong;

import dev.strata.core.spec.AdvisorSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server-wide PostgreSQL checks, as the monitoring role: connections by state, slow statements
 * (pg_stat_statements), locks and blocking chains, replication, transaction ID age and the cache
 * hit ratio. The SQL is the copied SQL of the seeds' monitor scripts, judged by {@link
 * AdvisorSpec}'s thresholds.
 */
final class PostgresChecks {
  static final String CONNECTIONS =
      "SELECT coalesce(state, 'unknown') AS state, count(*) AS connections FROM pg_stat_activity"
          + " WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC";
  static final String LIMITS =
      "SELECT current_setting('max_connections')::int AS max,"
          + " current_setting('superuser_reserved_connections')::int"
          + " + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved";
  static final String SLOW =
      "SELECT d.datname AS database, r.rolname AS role, s.calls,"
          + " round(s.mean_exec_time::numeric, 1) AS mean_ms,"
          + " round(s.max_exec_time::numeric, 1) AS max_ms,"
          + " round(s.total_exec_time::numeric, 1) AS total_ms, left(s.query, 200) AS query"
          + " FROM pg_stat_statements s LEFT JOIN pg_database d ON d.oid = s.dbid"
          + " LEFT JOIN pg_roles r ON r.oid = s.userid"
          + " WHERE s.mean_exec_time > ? ORDER BY s.mean_exec_time DESC LIMIT 20";
  static final String SLOW_COUNTS =
      "SELECT count(*) FILTER (WHERE mean_exec_time > ?) AS slow,"
          + " count(*) FILTER (WHERE mean_exec_time > ?) AS very_slow FROM pg_stat_statements";

  /** Every blocked session with the sessions blocking it (pg_blocking_pids), longest first. */
  static final String BLOCKED =
      "SELECT a.pid, a.datname AS database, a.usename AS role,"
          + " extract(epoch FROM now() - a.query_start)::bigint AS waiting_s,"
          + " pg_blocking_pids(a.pid) AS blocked_by, left(a.query, 200) AS query,"
          + " (SELECT string_agg(b.pid || ' (' || coalesce(b.state, '') || '): '"
          + " || left(b.query, 120), '; ') FROM pg_stat_activity b"
          + " WHERE b.pid = ANY (pg_blocking_pids(a.pid))) AS blockers"
          + " FROM pg_stat_activity a WHERE cardinality(pg_blocking_pids(a.pid)) > 0"
          + " ORDER BY a.query_start";

  static final String LOCKS =
      "SELECT mode, count(*) FILTER (WHERE granted) AS granted,"
          + " count(*) FILTER (WHERE NOT granted) AS waiting FROM pg_locks GROUP BY mode ORDER BY 1";
  static final String REPLICATION =
      "SELECT application_name AS standby, client_addr::text AS address, state, sync_state,"
          + " coalesce(extract(epoch FROM replay_lag), 0)::float8 AS lag_s,"
          + " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag_bytes"
          + " FROM pg_stat_replication";
  static final String RECOVERY =
      "SELECT pg_is_in_recovery() AS standby, coalesce(extract(epoch FROM now() -"
          + " pg_last_xact_replay_timestamp()), 0)::float8 AS lag_s";
  static final String XID =
      "SELECT datname AS database, age(datfrozenxid)::bigint AS xid_age FROM pg_database"
          + " WHERE datallowconn ORDER BY 2 DESC";
  static final String CACHE =
      "SELECT s.datname AS database, s.blks_hit, s.blks_read, CASE WHEN s.blks_hit + s.blks_read"
          + " = 0 THEN NULL ELSE round(100.0 * s.blks_hit / (s.blks_hit + s.blks_read), 2) END AS"
          + " hit_percent FROM pg_stat_database s JOIN pg_database d ON d.oid = s.datid"
          + " WHERE d.datallowconn ORDER BY s.datname";

  private final AdvisorSpec spec;

  PostgresChecks(AdvisorSpec spec) {
    this.spec = spec;
  }

  List<Section> all(Connection c, List<String> databases) throws SQLException {
    return List.of(
        connections(c), slowQueries(c), locks(c), replication(c), xidAge(c), cache(c, databases));
  }

  Section connections(Connection c) throws SQLException {
    List<Map<String, Object>> rows = Rows.query(c, CONNECTIONS);
    Map<String, Object> limits = Rows.query(c, LIMITS).get(0);
    long used = rows.stream().mapToLong(r -> asLong(r.get("connections"))).sum();
    long usable = asLong(limits.get("max")) - asLong(limits.get("reserved"));
    double percent = usable <= 0 ? 100 : 100.0 * used / usable;
    int warn = spec.get(AdvisorSpec.CONNECTIONS_WARN);
    int critical = spec.get(AdvisorSpec.CONNECTIONS_CRITICAL);
    Verdict v =
        percent >= critical ? Verdict.CRITICAL : percent >= warn ? Verdict.WARN : Verdict.OK;
    String value = used + " of " + usable + " (" + pct(percent) + ")";
    String threshold =
        "warn at "
            + warn
            + "% ("
            + AdvisorSpec.path(AdvisorSpec.CONNECTIONS_WARN)
            + "), critical at "
            + critical
            + "%";
    return new Section(
        "connections",
        List.of(
            new Finding(
                "connections",
                "postgres",
                v,
                value,
                threshold,
                v == Verdict.OK
                    ? ""
                    : "connections near max_connections: route applications through the pool"
                        + " (DATABASE_URL) or raise max_connections in postgres.settings")),
        rows);
  }

  Section slowQueries(Connection c) throws SQLException {
    Duration slow = spec.get(AdvisorSpec.SLOW_QUERY);
    Duration verySlow = spec.get(AdvisorSpec.VERY_SLOW_QUERY);
    Map<String, Object> counts =
        Rows.query(c, SLOW_COUNTS, (double) slow.toMillis(), (double) verySlow.toMillis()).get(0);
    long nSlow = asLong(counts.get("slow"));
    long nVery = asLong(counts.get("very_slow"));
    int critical = spec.get(AdvisorSpec.VERY_SLOW_QUERIES_CRITICAL);
    Verdict v = nVery > critical ? Verdict.CRITICAL : nSlow > 0 ? Verdict.WARN : Verdict.OK;
    List<Map<String, Object>> rows = Rows.query(c, SLOW, (double) slow.toMillis());
    return new Section(
        "slow_queries",
        List.of(
            new Finding(
                "slow_queries",
                "postgres",
                v,
                nSlow
                    + " over "
                    + slow.toMillis()
                    + " ms, "
                    + nVery
                    + " over "
                    + verySlow.toMillis()
                    + " ms (mean time)",
                "slow past "
                    + AdvisorSpec.path(AdvisorSpec.SLOW_QUERY)
                    + " (warn); critical past "
                    + critical
                    + " over "
                    + AdvisorSpec.path(AdvisorSpec.VERY_SLOW_QUERY),
                v == Verdict.OK
                    ? ""
                    : "look at the statements below with EXPLAIN (ANALYZE, BUFFERS); an index or"
                        + " a rewrite usually helps")),
        rows);
  }

  Section locks(Connection c) throws SQLException {
    List<Map<String, Object>> blocked = Rows.query(c, BLOCKED);
    List<Finding> findings = new ArrayList<>();
    long criticalSeconds = spec.get(AdvisorSpec.BLOCKED_CRITICAL).toSeconds();
    String threshold =
        "any blocked session warns; critical past "
            + AdvisorSpec.path(AdvisorSpec.BLOCKED_CRITICAL);
    if (blocked.isEmpty()) {
      findings.add(Finding.ok("blocking", "postgres", "no session blocked", threshold));
    }
    for (Map<String, Object> b : blocked) {
      Object by = b.get("blocked_by");
      String byText = by instanceof java.sql.Array a ? arrayText(a) : String.valueOf(by);
      b.put("blocked_by", byText);
      long waiting = asLong(b.get("waiting_s"));
      findings.add(
          new Finding(
              "blocking",
              "pid " + b.get("pid") + " (" + b.get("database") + ")",
              waiting > criticalSeconds ? Verdict.CRITICAL : Verdict.WARN,
              "blocked " + waiting + " s by " + byText,
              threshold,
              "blocking chain: "
                  + b.get("pid")
                  + " waits for "
                  + b.get("blockers")
                  + "; end the blocker's transaction (or pg_terminate_backend its pid)"));
    }
    List<Map<String, Object>> rows = new ArrayList<>(blocked);
    rows.addAll(Rows.query(c, LOCKS));
    return new Section("locks", findings, rows);
  }

  private static String arrayText(java.sql.Array a) {
    try {
      Object[] pids = (Object[]) a.getArray();
      return java.util.Arrays.toString(pids);
    } catch (SQLException e) {
      return "?";
    }
  }

  Section replication(Connection c) throws SQLException {
    List<Map<String, Object>> standbys = Rows.query(c, REPLICATION);
    Map<String, Object> self = Rows.query(c, RECOVERY).get(0);
    Duration lag = spec.get(AdvisorSpec.REPLICATION_LAG);
    String threshold = "warn past " + AdvisorSpec.path(AdvisorSpec.REPLICATION_LAG);
    List<Finding> findings = new ArrayList<>();
    if (Boolean.TRUE.equals(self.get("standby"))) {
      double s = asDouble(self.get("lag_s"));
      findings.add(lagFinding("postgres (standby)", s, lag, threshold));
    }
    for (Map<String, Object> r : standbys) {
      findings.add(
          lagFinding(String.valueOf(r.get("standby")), asDouble(r.get("lag_s")), lag, threshold));
    }
    if (findings.isEmpty()) {
      findings.add(Finding.ok("replication", "postgres", "no standby (one node)", threshold));
    }
    return new Section("replication", findings, standbys);
  }

  private static Finding lagFinding(String who, double seconds, Duration lag, String threshold) {
    boolean late = seconds * 1000 > lag.toMillis();
    return new Finding(
        "replication_lag",
        who,
        late ? Verdict.WARN : Verdict.OK,
        String.format(Locale.ROOT, "%.1f s behind", seconds),
        threshold,
        late ? "the standby replays behind its primary: check its log and the network" : "");
  }

  Section xidAge(Connection c) throws SQLException {
    List<Map<String, Object>> rows = Rows.query(c, XID);
    int warn = spec.get(AdvisorSpec.XID_AGE_WARN);
    int critical = spec.get(AdvisorSpec.XID_AGE_CRITICAL);
    String threshold =
        "warn at "
            + warn
            + " ("
            + AdvisorSpec.path(AdvisorSpec.XID_AGE_WARN)
            + "), critical at "
            + critical;
    List<Finding> findings = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      long age = asLong(r.get("xid_age"));
      Verdict v = age >= critical ? Verdict.CRITICAL : age >= warn ? Verdict.WARN : Verdict.OK;
      findings.add(
          new Finding(
              "xid_age",
              String.valueOf(r.get("database")),
              v,
              Long.toString(age),
              threshold,
              v == Verdict.OK ? "" : "run `strata maintain`: VACUUM freezes the old rows"));
    }
    return new Section("xid_age", findings, rows);
  }

  Section cache(Connection c, List<String> databases) throws SQLException {
    int min = spec.get(AdvisorSpec.CACHE_HIT_PERCENT);
    String threshold =
        "warn under " + min + "% (" + AdvisorSpec.path(AdvisorSpec.CACHE_HIT_PERCENT) + ")";
    List<Map<String, Object>> rows = Rows.query(c, CACHE);
    List<Finding> findings = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      String db = String.valueOf(r.get("database"));
      Object hit = r.get("hit_percent");
      // too few reads to judge: a fresh database has read its catalog from disk once
      if (!databases.contains(db) || hit == null || asLong(r.get("blks_read")) < 1000) {
        continue;
      }
      double p = asDouble(hit);
      findings.add(
          new Finding(
              "cache_hit",
              db,
              p < min ? Verdict.WARN : Verdict.OK,
              pct(p),
              threshold,
              p < min ? "the working set does not fit shared_buffers: raise postgres.memory" : ""));
    }
    if (findings.isEmpty()) {
      findings.add(Finding.ok("cache_hit", "postgres", "too few reads to judge", threshold));
    }
    return new Section("cache", findings, rows);
  }

  static String pct(double p) {
    return String.format(Locale.ROOT, "%.1f%%", p);
  }
}
