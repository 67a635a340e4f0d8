package dev.strata.jdbc.migrate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Strata's own record of what ran: one row per file applied, undone or forced, with its SHA-256,
 * who ran it, when, and how long it took. golang-migrate ignores this table.
 */
final class AuditLog {
  static final String NAME = "strata_migrations_log";

  private AuditLog() {}

  /** What a log row records. */
  enum Direction {
    up,
    down,
    force
  }

  static void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + NAME
              + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
              + " version bigint NOT NULL,"
              + " name text NOT NULL,"
              + " checksum text,"
              + " direction text NOT NULL CHECK (direction IN ('up', 'down', 'force')),"
              + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
              + " applied_by text NOT NULL DEFAULT session_user,"
              + " duration_ms bigint NOT NULL DEFAULT 0)");
    }
  }

  static String insertSql(
      long version, String name, String checksum, Direction direction, long durationMs) {
    return "INSERT INTO "
        + NAME
        + " (version, name, checksum, direction, duration_ms) VALUES ("
        + version
        + ", "
        + literal(name)
        + ", "
        + (checksum == null ? "NULL" : literal(checksum))
        + ", '"
        + direction
        + "', "
        + durationMs
        + ")";
  }

  /**
   * What the log says: the versions whose latest run was an {@code up} (with that row), every
   * version that ever ran, and the highest version ever forced.
   */
  record History(Map<Long, Applied> applied, Set<Long> ran, long firstUp, long maxForced) {
    static final History EMPTY = new History(Map.of(), Set.of(), Long.MAX_VALUE, -1);
  }

  static History history(Connection c) throws SQLException {
    if (!exists(c)) {
      return History.EMPTY;
    }
    Map<Long, Applied> applied = new HashMap<>();
    Set<Long> ran = new HashSet<>();
    long firstUp = Long.MAX_VALUE;
    long maxForced = -1;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version, name, checksum, applied_at, applied_by, duration_ms, direction"
                    + " FROM "
                    + NAME
                    + " ORDER BY id")) {
      while (rs.next()) {
        long version = rs.getLong(1);
        String direction = rs.getString(7);
        if (direction.equals("force")) {
          maxForced = Math.max(maxForced, version);
          continue;
        }
        ran.add(version);
        if (direction.equals("up")) {
          firstUp = Math.min(firstUp, version);
          applied.put(
              version,
              new Applied(
                  rs.getString(2),
                  rs.getString(3),
                  rs.getTimestamp(4).toInstant(),
                  rs.getString(5),
                  rs.getLong(6)));
        } else {
          applied.remove(version);
        }
      }
    }
    return new History(applied, ran, firstUp, maxForced);
  }

  /** One {@code up} row. */
  record Applied(String name, String checksum, java.time.Instant at, String by, long durationMs) {}

  static boolean exists(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('" + NAME + "') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
