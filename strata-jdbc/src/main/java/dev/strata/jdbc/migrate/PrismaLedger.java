package dev.strata.jdbc.migrate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prisma Migrate's {@code _prisma_migrations}, created and written as Prisma's schema engine does
 * for PostgreSQL: one row per migration run, the SHA-256 of {@code migration.sql}, {@code
 * finished_at} set once it completed, {@code rolled_back_at} once undone (so {@code prisma migrate
 * deploy} would apply it again), a row with neither for a migration that stopped part-way (Prisma's
 * "failed migration", which {@code prisma migrate resolve} or {@code strata migrate force} clears).
 */
final class PrismaLedger extends Ledger {
  PrismaLedger(String schema) {
    super(schema);
  }

  @Override
  FolderFormat format() {
    return FolderFormat.PRISMA;
  }

  @Override
  void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + qualified()
              + " (id varchar(36) PRIMARY KEY NOT NULL, checksum varchar(64) NOT NULL,"
              + " finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text,"
              + " rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(),"
              + " applied_steps_count integer NOT NULL DEFAULT 0)");
    }
  }

  @Override
  State read(Connection c, MigrationFolder files) throws SQLException {
    TreeMap<Long, Entry> applied = new TreeMap<>();
    Long failed = null;
    if (exists(c, schema, format().table())) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT migration_name, checksum, finished_at, started_at FROM "
                      + qualified()
                      + " WHERE rolled_back_at IS NULL ORDER BY started_at")) {
        while (rs.next()) {
          String name = rs.getString(1);
          long v = version(name);
          if (rs.getTimestamp(3) == null) {
            failed = failed == null ? v : Math.min(failed, v);
          } else {
            applied.put(
                v,
                new Entry(
                    name,
                    Optional.ofNullable(rs.getString(2)),
                    instant(rs.getTimestamp(3)),
                    Optional.empty(),
                    How.STRATA));
          }
        }
      }
    }
    long current = applied.isEmpty() ? GolangLedger.NONE : applied.lastKey();
    if (failed != null) {
      current = Math.max(current, failed);
    }
    Set<Long> neverRan = new HashSet<>();
    for (Migration m : files.migrations()) {
      if (m.version() < current
          && !applied.containsKey(m.version())
          && (failed == null || failed != m.version())) {
        neverRan.add(m.version());
      }
    }
    return new State(
        current,
        failed == null ? OptionalLong.empty() : OptionalLong.of(failed),
        applied,
        neverRan,
        Map.of(),
        List.of());
  }

  /** The timestamp a Prisma migration's name starts with. */
  static long version(String name) {
    int end = 0;
    while (end < name.length() && Character.isDigit(name.charAt(end))) {
      end++;
    }
    try {
      return Long.parseLong(name.substring(0, end));
    } catch (NumberFormatException e) {
      return GolangLedger.NONE;
    }
  }

  @Override
  String checksumOf(MigrationScript script) {
    return script.rawChecksum();
  }

  @Override
  String appliedSql(Migration m, long durationMs, int statements) {
    return insert(m, "clock_timestamp()", statements);
  }

  private String insert(Migration m, String finishedAt, int statements) {
    return "INSERT INTO "
        + qualified()
        + " (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at,"
        + " applied_steps_count) VALUES (gen_random_uuid()::text, "
        + literal(m.up().rawChecksum())
        + ", "
        + finishedAt
        + ", "
        + literal(m.name())
        + ", NULL, NULL, now(), "
        + statements
        + ")";
  }

  private String live(Migration m) {
    return " WHERE migration_name = " + literal(m.name()) + " AND rolled_back_at IS NULL";
  }

  @Override
  String undoneSql(Migration m, MigrationScript down, long after, long durationMs) {
    return "UPDATE " + qualified() + " SET rolled_back_at = clock_timestamp()" + live(m);
  }

  @Override
  String startedSql(Migration m, boolean up, long dirtyVersion) {
    if (up) {
      return insert(m, "NULL", 0);
    }
    return "UPDATE "
        + qualified()
        + " SET finished_at = NULL, logs = 'strata migrate down started its down.sql'"
        + live(m);
  }

  @Override
  String finishedSql(
      Migration m, boolean up, long after, long durationMs, int statements, String error) {
    if (error != null) {
      return "UPDATE "
          + qualified()
          + " SET logs = "
          + literal(error)
          + ", applied_steps_count = "
          + statements
          + live(m);
    }
    if (!up) {
      return undoneSql(m, null, after, durationMs);
    }
    return "UPDATE "
        + qualified()
        + " SET finished_at = clock_timestamp(), applied_steps_count = "
        + statements
        + live(m);
  }

  @Override
  String forceSql(long version, State state, MigrationFolder files) {
    long failed = state.dirty().orElseThrow();
    Migration m =
        files.migrations().stream().filter(f -> f.version() == failed).findFirst().orElseThrow();
    // As `prisma migrate resolve --applied` / `--rolled-back` do.
    return "UPDATE "
        + qualified()
        + (version == failed
            ? " SET finished_at = clock_timestamp()"
            : " SET rolled_back_at = clock_timestamp()")
        + live(m)
        + " AND finished_at IS NULL";
  }

  @Override
  String baselineSql(long version, MigrationFolder files) {
    StringBuilder sql = new StringBuilder();
    for (Migration m : files.migrations()) {
      if (m.version() <= version) {
        sql.append(sql.isEmpty() ? "" : ";\n").append(insert(m, "clock_timestamp()", 0));
      }
    }
    return sql.toString();
  }

  @Override
  String repairSql(List<Migration> changed) {
    StringBuilder sql = new StringBuilder();
    for (Migration m : changed) {
      sql.append(sql.isEmpty() ? "" : ";\n")
          .append("UPDATE ")
          .append(qualified())
          .append(" SET checksum = ")
          .append(literal(m.up().rawChecksum()))
          .append(live(m))
          .append(" AND finished_at IS NOT NULL");
    }
    return sql.toString();
  }
}
