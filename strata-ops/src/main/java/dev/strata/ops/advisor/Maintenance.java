package dev.strata.ops.advisor;

import static dev.strata.ops.advisor.Rows.asLong;

import dev.strata.core.spec.AdvisorSpec;
import dev.strata.ops.advisor.MaintenanceAction.Outcome;
import dev.strata.ops.stack.Stack;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code strata maintain}: VACUUM (ANALYZE) of the tables whose dead rows or transaction ID age
 * call for it, REINDEX INDEX CONCURRENTLY of bloated indexes, duplicate and unused indexes reported
 * (dropped with DROP INDEX CONCURRENTLY only when asked), Redis's big keys reported and its
 * fragmentation purged. Each action carries its reason and the figures measured before and after.
 * It runs when called: the maintenance window is the caller's (the agent's scheduler). Connects as
 * each database's owner, so a table another role owns is skipped and says so.
 */
public final class Maintenance {
  private static final String OLD_XID =
      "SELECT n.nspname AS schema, c.relname AS table, age(c.relfrozenxid)::bigint AS xid_age"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog',"
          + " 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
          + " AND age(c.relfrozenxid) >= ? ORDER BY 3 DESC";
  private static final String TABLE_FIGURES =
      "SELECT coalesce(s.n_dead_tup, 0) AS dead_rows, coalesce(s.n_live_tup, 0) AS live_rows,"
          + " pg_total_relation_size(c.oid) AS bytes, age(c.relfrozenxid)::bigint AS xid_age"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
          + " WHERE n.nspname = ? AND c.relname = ?";
  private static final String OWNED =
      "SELECT pg_has_role(c.relowner, 'USAGE') AS owned, pg_get_userbyid(c.relowner) AS owner"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname = ? AND c.relname = ?";

  private final Stack stack;
  private final AdvisorSpec spec;
  private final Databases databases;
  private final TableChecks checks;
  private final Consumer<String> progress;

  public Maintenance(Stack stack) {
    this(stack, line -> {});
  }

  /** With a line printed as each action starts. */
  public Maintenance(Stack stack, Consumer<String> progress) {
    this.stack = stack;
    this.spec = stack.spec().advisor();
    this.databases = new Databases(stack);
    this.checks = new TableChecks(spec);
    this.progress = progress;
  }

  /** Runs (or with {@code dryRun} only plans) maintenance, dropping no index. */
  public MaintenanceReport run(boolean dryRun) {
    return run(dryRun, false);
  }

  /**
   * Runs (or with {@code dryRun} only plans) maintenance.
   *
   * @param apply whether duplicate and unused indexes are dropped (DROP INDEX CONCURRENTLY) instead
   *     of only reported
   * @throws dev.strata.core.StrataException when the stack was never brought up or PostgreSQL
   *     cannot be reached
   */
  public MaintenanceReport run(boolean dryRun, boolean apply) {
    databases.requireCreated();
    List<MaintenanceAction> actions = new ArrayList<>();
    for (String db : databases.names()) {
      try (Connection c = databases.owner(db)) {
        try (Statement s = c.createStatement()) {
          // never queue the application behind a maintenance lock for long
          s.execute("SET lock_timeout = '10s'; SET statement_timeout = 0");
        }
        vacuums(c, db, dryRun, actions);
        indexes(c, db, dryRun, apply, actions);
      } catch (SQLException e) {
        actions.add(
            new MaintenanceAction(
                "database",
                db,
                "reading its tables",
                "",
                Outcome.FAILED,
                Map.of(),
                Map.of(),
                e.getMessage()));
      }
    }
    redis(dryRun, actions);
    return new MaintenanceReport(Instant.now(), dryRun, apply, actions);
  }

  private void vacuums(Connection c, String db, boolean dryRun, List<MaintenanceAction> actions)
      throws SQLException {
    Map<String, String> reasons = new LinkedHashMap<>();
    for (TableStat t : checks.tables(c, db)) {
      if (checks.needsVacuum(t)) {
        reasons.put(
            t.schema() + "\u0000" + t.table(),
            t.deadRows()
                + " dead rows ("
                + PostgresChecks.pct(t.deadPercent())
                + "), past "
                + checks.vacuumThreshold());
      }
    }
    int xidWarn = spec.get(AdvisorSpec.XID_AGE_WARN);
    for (Map<String, Object> r : Rows.query(c, OLD_XID, xidWarn)) {
      reasons.merge(
          r.get("schema") + "\u0000" + r.get("table"),
          "transaction ID age "
              + r.get("xid_age")
              + ", past "
              + xidWarn
              + " ("
              + AdvisorSpec.path(AdvisorSpec.XID_AGE_WARN)
              + ")",
          (a, b) -> a + "; " + b);
    }
    for (Map.Entry<String, String> e : reasons.entrySet()) {
      String[] parts = e.getKey().split("\u0000");
      // old transaction IDs are only dealt with by freezing the rows that hold them
      String options =
          e.getValue().contains("transaction ID age") ? "(FREEZE, ANALYZE) " : "(ANALYZE) ";
      String sql =
          "VACUUM " + options + IndexStat.quote(parts[0]) + "." + IndexStat.quote(parts[1]);
      actions.add(
          act(
              c,
              "vacuum",
              db + "." + parts[0] + "." + parts[1],
              e.getValue(),
              sql,
              dryRun,
              () -> tableFigures(c, parts[0], parts[1]),
              parts[0],
              parts[1]));
    }
  }

  private void indexes(
      Connection c, String db, boolean dryRun, boolean apply, List<MaintenanceAction> actions)
      throws SQLException {
    List<IndexStat> all = checks.indexes(c, db);
    // the index a duplicate duplicates is the one kept: never dropped as unused in the same run
    java.util.Set<String> kept = TableChecks.kept(all);
    for (IndexStat i : all) {
      String drop = "DROP INDEX CONCURRENTLY " + i.qualified();
      if (i.duplicateOf().isPresent()) {
        String reason = "duplicates " + i.duplicateOf().get() + ": " + i.definition();
        actions.add(dropOrReport(c, i, reason, drop, dryRun, apply));
      } else if (TableChecks.unused(i) && !kept.contains(i.name())) {
        String reason =
            "never scanned since the statistics were reset (idx_scan = 0): " + i.definition();
        actions.add(dropOrReport(c, i, reason, drop, dryRun, apply));
      } else if (checks.bloated(i.bytes(), i.bloatPercent())) {
        String reason =
            PostgresChecks.pct(i.bloatPercent().getAsDouble())
                + " estimated bloat of "
                + Rows.bytes(i.bytes())
                + ", past "
                + checks.bloatThreshold();
        actions.add(
            act(
                c,
                "reindex",
                i.name(),
                reason,
                "REINDEX INDEX CONCURRENTLY " + i.qualified(),
                dryRun,
                () -> indexFigures(c, i),
                i.schema(),
                i.table()));
      }
    }
  }

  private MaintenanceAction dropOrReport(
      Connection c, IndexStat i, String reason, String drop, boolean dryRun, boolean apply)
      throws SQLException {
    if (!apply) {
      return new MaintenanceAction(
          "drop_index",
          i.name(),
          reason + " (dropped only with --apply)",
          drop,
          Outcome.REPORTED,
          indexFigures(c, i),
          Map.of(),
          "");
    }
    return act(
        c,
        "drop_index",
        i.name(),
        reason,
        drop,
        dryRun,
        () -> indexFigures(c, i),
        i.schema(),
        i.table());
  }

  private interface Figures {
    Map<String, Object> read() throws SQLException;
  }

  /** Measures, runs {@code sql} (unless a dry run), measures again. */
  private MaintenanceAction act(
      Connection c,
      String kind,
      String target,
      String reason,
      String sql,
      boolean dryRun,
      Figures figures,
      String schema,
      String table)
      throws SQLException {
    Map<String, Object> before = figures.read();
    Map<String, Object> owner = Rows.query(c, OWNED, schema, table).get(0);
    if (!Boolean.TRUE.equals(owner.get("owned"))) {
      return new MaintenanceAction(
          kind,
          target,
          reason,
          sql,
          Outcome.SKIPPED,
          before,
          Map.of(),
          "owned by "
              + owner.get("owner")
              + ", not by "
              + safeUser(c)
              + ": run it as that role (`strata psql --as superuser`)");
    }
    if (dryRun) {
      return new MaintenanceAction(
          kind, target, reason, sql, Outcome.PLANNED, before, Map.of(), "");
    }
    progress.accept(sql);
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      return new MaintenanceAction(
          kind, target, reason, sql, Outcome.FAILED, before, Map.of(), e.getMessage());
    }
    Map<String, Object> after = kind.equals("drop_index") ? Map.of("bytes", 0L) : figures.read();
    return new MaintenanceAction(kind, target, reason, sql, Outcome.DONE, before, after, "");
  }

  private static String safeUser(Connection c) throws SQLException {
    return c.getMetaData().getUserName();
  }

  private static Map<String, Object> tableFigures(Connection c, String schema, String table)
      throws SQLException {
    List<Map<String, Object>> rows = Rows.query(c, TABLE_FIGURES, schema, table);
    return rows.isEmpty() ? Map.of() : rows.get(0);
  }

  private static Map<String, Object> indexFigures(Connection c, IndexStat i) throws SQLException {
    List<Map<String, Object>> rows =
        Rows.query(
            c,
            "SELECT pg_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?",
            i.schema(),
            i.index());
    return rows.isEmpty() ? Map.of("bytes", 0L) : Map.of("bytes", asLong(rows.get(0).get("bytes")));
  }

  private void redis(boolean dryRun, List<MaintenanceAction> actions) {
    try (RedisChecks redis = new RedisChecks(stack)) {
      for (Finding f : redis.bigKeys().findings()) {
        if (f.verdict() != Verdict.OK) {
          actions.add(
              new MaintenanceAction(
                  "report",
                  "redis key " + f.subject(),
                  f.value() + ", past " + f.threshold(),
                  "",
                  Outcome.REPORTED,
                  Map.of(),
                  Map.of(),
                  f.detail()));
        }
      }
      RedisInfo info = redis.info();
      if (redis.fragmented(info)) {
        Map<String, Object> before = redisFigures(info);
        String reason =
            "fragmentation ratio "
                + info.decimal("mem_fragmentation_ratio")
                + ", past "
                + spec.get(AdvisorSpec.REDIS_FRAGMENTATION_PERCENT)
                + "% ("
                + AdvisorSpec.path(AdvisorSpec.REDIS_FRAGMENTATION_PERCENT)
                + ")";
        if (dryRun) {
          actions.add(
              new MaintenanceAction(
                  "memory_purge",
                  "redis",
                  reason,
                  "MEMORY PURGE",
                  Outcome.PLANNED,
                  before,
                  Map.of(),
                  ""));
        } else {
          progress.accept("MEMORY PURGE");
          String answer = redis.memoryPurge();
          actions.add(
              new MaintenanceAction(
                  "memory_purge",
                  "redis",
                  reason,
                  "MEMORY PURGE",
                  "OK".equals(answer) ? Outcome.DONE : Outcome.FAILED,
                  before,
                  redisFigures(redis.info()),
                  "OK".equals(answer) ? "" : answer));
        }
      }
    } catch (RuntimeException e) {
      actions.add(
          new MaintenanceAction(
              "redis",
              "redis",
              "reading its keys and memory",
              "",
              Outcome.FAILED,
              Map.of(),
              Map.of(),
              String.valueOf(e.getMessage())));
    }
  }

  private static Map<String, Object> redisFigures(RedisInfo info) {
    return Map.of(
        "mem_fragmentation_ratio", info.decimal("mem_fragmentation_ratio"),
        "used_memory_rss", info.number("used_memory_rss"));
  }
}
