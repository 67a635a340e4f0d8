package dev.strata.jdbc.migrate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

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
   * The checksum each version was last applied with, for versions whose latest row is an {@code
   * up}: what {@code up} compares the files against.
   */
  static Map<Long, String> appliedChecksums(Connection c) throws SQLException {
    Map<Long, String> checksums = new HashMap<>();
    if (!exists(c)) {
      return checksums;
    }
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DISTINCT ON (version) version, checksum, direction FROM "
                    + NAME
                    + " WHERE direction <> 'force' ORDER BY version, id DESC")) {
      while (rs.next()) {
        if (rs.getString(3).equals("up") && rs.getString(2) != null) {
          checksums.put(rs.getLong(1), rs.getString(2));
        }
      }
    }
    return checksums;
  }

  /** The last {@code up} row of each version: name and time, for {@code status}. */
  static Map<Long, Applied> lastApplied(Connection c) throws SQLException {
    Map<Long, Applied> applied = new HashMap<>();
    if (!exists(c)) {
      return applied;
    }
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DISTINCT ON (version) version, name, checksum, applied_at, applied_by,"
                    + " duration_ms FROM "
                    + NAME
                    + " WHERE direction = 'up' ORDER BY version, id DESC")) {
      while (rs.next()) {
        applied.put(
            rs.getLong(1),
            new Applied(
                rs.getString(2),
                rs.getString(3),
                rs.getTimestamp(4).toInstant(),
                rs.getString(5),
                rs.getLong(6)));
      }
    }
    return applied;
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
