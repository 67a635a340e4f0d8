package dev.strata.jdbc.migrate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * golang-migrate's {@code schema_migrations} table, read and written as golang-migrate's PostgreSQL
 * driver does: in the current schema, {@code (version bigint not null primary key, dirty boolean
 * not null)}, at most one row, no row meaning "no migration applied". A database golang-migrate
 * left is carried on; one Strata leaves can go back to golang-migrate.
 */
final class VersionTable {
  static final String NAME = "schema_migrations";

  /** No migration applied: golang-migrate's {@code NilVersion}. */
  static final long NONE = -1;

  private VersionTable() {}

  /**
   * The version and dirty flag.
   *
   * @param version {@link #NONE} when no migration is applied
   */
  record State(long version, boolean dirty) {
    static final State EMPTY = new State(NONE, false);
  }

  static void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + NAME
              + " (version bigint not null primary key, dirty boolean not null)");
    }
  }

  static boolean exists(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('" + NAME + "') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  static State read(Connection c) throws SQLException {
    if (!exists(c)) {
      return State.EMPTY;
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version, dirty FROM " + NAME + " LIMIT 1")) {
      return rs.next() ? new State(rs.getLong(1), rs.getBoolean(2)) : State.EMPTY;
    }
  }

  /**
   * The SQL that sets the one row, as golang-migrate's {@code SetVersion} does (it uses {@code
   * TRUNCATE}; {@code DELETE} leaves the same content without taking an exclusive lock on the table
   * and without a new relation file per migration).
   */
  static String setSql(long version, boolean dirty) {
    String sql = "DELETE FROM " + NAME;
    if (version >= 0 || dirty) {
      sql += ";\nINSERT INTO " + NAME + " (version, dirty) VALUES (" + version + ", " + dirty + ")";
    }
    return sql;
  }

  static void set(Connection c, long version, boolean dirty) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(setSql(version, dirty));
    }
  }
}
