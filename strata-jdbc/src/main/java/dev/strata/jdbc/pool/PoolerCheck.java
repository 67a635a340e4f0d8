package dev.strata.jdbc.pool;

import dev.strata.core.StrataException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists the statements a database has run (from {@code pg_stat_statements}) that break under
 * PgBouncer's transaction pooling: {@code SET} without {@code LOCAL}, session advisory locks,
 * {@code LISTEN}, {@code WITH HOLD} cursors, temporary tables and SQL {@code PREPARE} (see {@link
 * PoolerHazard}). It reads what ran, so it finds what an application really does, including SQL its
 * frameworks write; it cannot see what has not run since the statistics were last reset.
 *
 * <p>The connection's role needs {@code pg_read_all_stats} (e.g. {@code pg_monitor}) to read other
 * roles' statements.
 */
public final class PoolerCheck {
  private static final String SQL =
      "SELECT r.rolname, s.query, s.calls FROM pg_stat_statements s"
          + " JOIN pg_roles r ON r.oid = s.userid"
          + " WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
          + " AND (cardinality(?::text[]) = 0 OR r.rolname = ANY (?::text[]))"
          + " AND NOT r.rolsuper"
          + " ORDER BY s.calls DESC, s.query";

  private PoolerCheck() {}

  /** What the check read and found. */
  public record Report(
      String database, List<String> roles, int statements, List<PoolerFinding> findings) {
    /** Whether nothing that breaks under transaction pooling was found. */
    public boolean clean() {
      return findings.isEmpty();
    }
  }

  /**
   * Checks the statements of {@code roles} (every role but superusers when empty) in the database
   * {@code connection} is connected to.
   *
   * @throws StrataException when pg_stat_statements is not installed in the database, or the
   *     connection's role may not read other roles' statements
   */
  public static Report run(Connection connection, List<String> roles) {
    try {
      String database = connection.getCatalog();
      requireExtension(connection, database);
      List<PoolerFinding> findings = new ArrayList<>();
      int statements = 0;
      Array names = connection.createArrayOf("text", roles.toArray());
      try (PreparedStatement st = connection.prepareStatement(SQL)) {
        st.setArray(1, names);
        st.setArray(2, names);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            statements++;
            String query = rs.getString(2);
            if (query == null || query.equals("<insufficient privilege>")) {
              throw StrataException.environment(
                  "the role "
                      + connection.getMetaData().getUserName()
                      + " may not read the statements of "
                      + rs.getString(1)
                      + " in pg_stat_statements",
                  "connect as a role with pg_read_all_stats (Strata's monitoring role has it"
                      + " through pg_monitor)");
            }
            String role = rs.getString(1);
            long calls = rs.getLong(3);
            PoolerHazard.of(query)
                .ifPresent(h -> findings.add(new PoolerFinding(h, query, role, calls)));
          }
        }
      }
      return new Report(database, List.copyOf(roles), statements, List.copyOf(findings));
    } catch (SQLException e) {
      throw StrataException.failed(
          "reading pg_stat_statements failed: " + e.getMessage(),
          "check the database with `strata status` and `strata logs postgres`",
          e);
    }
  }

  private static void requireExtension(Connection connection, String database) throws SQLException {
    try (PreparedStatement st =
            connection.prepareStatement(
                "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_stat_statements')");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw StrataException.environment(
            "pg_stat_statements is not installed in database "
                + database
                + ", so there is nothing to check",
            "keep pg_stat_statements in postgres.extensions of strata.yaml (Strata's default) and"
                + " run `strata up`; elsewhere: shared_preload_libraries = 'pg_stat_statements' and"
                + " CREATE EXTENSION pg_stat_statements");
      }
    }
  }
}
