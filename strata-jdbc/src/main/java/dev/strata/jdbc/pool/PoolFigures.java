package dev.strata.jdbc.pool;

import dev.strata.core.env.PgEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * PgBouncer's own figures, from its admin console ({@code SHOW POOLS}, {@code SHOW STATS}): clients
 * waiting for a server connection, how long the oldest has waited, server connections in use. The
 * admin console is the virtual database {@code pgbouncer}; it speaks only the simple query protocol
 * and admits the roles in {@code stats_users} (Strata's monitoring role).
 */
public final class PoolFigures {
  /** The virtual database of PgBouncer's admin console. */
  public static final String ADMIN_DATABASE = "pgbouncer";

  private PoolFigures() {}

  /**
   * One pool: a (database, role) pair.
   *
   * @param clientsActive clients linked to a server connection, or idle between transactions
   * @param clientsWaiting clients that sent a query and wait for a server connection
   * @param maxWait how long the oldest waiting client has waited
   */
  public record Pool(
      String database,
      String user,
      int clientsActive,
      int clientsWaiting,
      int serversActive,
      int serversIdle,
      int serversUsed,
      Duration maxWait,
      String mode) {
    /** Server connections this pool holds open. */
    public int servers() {
      return serversActive + serversIdle + serversUsed;
    }
  }

  /**
   * One database's totals since PgBouncer started, and averages over its last stats period.
   *
   * @param totalWait time clients spent waiting for a server connection
   */
  public record Stats(
      String database,
      long transactions,
      long queries,
      Duration totalWait,
      Duration averageTransaction,
      Duration averageWait) {}

  /**
   * A connection to the admin console of the PgBouncer {@code pooler} reaches, as its role (which
   * must be in {@code stats_users}); the caller closes it.
   */
  public static Connection connect(PgEndpoint pooler) throws SQLException {
    String url = pooler.database(ADMIN_DATABASE).jdbcUrl();
    // The admin console takes only SHOW and the like: assumeMinServerVersion keeps pgjdbc from
    // sending SET extra_float_digits and SET application_name after connecting.
    String simple =
        (url.contains("?") ? "&" : "?") + "preferQueryMode=simple&assumeMinServerVersion=9.0";
    return DriverManager.getConnection(url + simple, pooler.jdbcProperties());
  }

  /** {@code SHOW POOLS}, skipping the admin console's own pool. */
  public static List<Pool> pools(Connection admin) throws SQLException {
    List<Pool> pools = new ArrayList<>();
    try (Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SHOW POOLS")) {
      while (rs.next()) {
        if (rs.getString("database").equals(ADMIN_DATABASE)) {
          continue;
        }
        pools.add(
            new Pool(
                rs.getString("database"),
                rs.getString("user"),
                rs.getInt("cl_active"),
                rs.getInt("cl_waiting"),
                rs.getInt("sv_active"),
                rs.getInt("sv_idle"),
                rs.getInt("sv_used"),
                Duration.ofSeconds(rs.getLong("maxwait"))
                    .plusNanos(rs.getLong("maxwait_us") * 1000),
                rs.getString("pool_mode")));
      }
    }
    return pools;
  }

  /** {@code SHOW STATS}, skipping the admin console's own line. */
  public static List<Stats> stats(Connection admin) throws SQLException {
    List<Stats> stats = new ArrayList<>();
    try (Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SHOW STATS")) {
      while (rs.next()) {
        if (rs.getString("database").equals(ADMIN_DATABASE)) {
          continue;
        }
        stats.add(
            new Stats(
                rs.getString("database"),
                rs.getLong("total_xact_count"),
                rs.getLong("total_query_count"),
                micros(rs.getLong("total_wait_time")),
                micros(rs.getLong("avg_xact_time")),
                micros(rs.getLong("avg_wait_time"))));
      }
    }
    return stats;
  }

  private static Duration micros(long us) {
    return Duration.ofNanos(us * 1000);
  }
}
