package dev.strata.jdbc.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Routes transactions between a PostgreSQL primary and a replica ({@code DATABASE_URL} and {@code
 * READ_DATABASE_URL}): {@link #write} runs on the primary; {@link #read} runs as a read-only
 * transaction on the replica — once the replica has replayed the last write this data source made
 * (read-your-writes by LSN). A replica that has not caught up within {@code maxWait}, or cannot be
 * reached, is skipped and the read runs on the primary: a read never sees older data than this data
 * source's own last write.
 *
 * <pre>{@code
 * RoutingDataSource db = new RoutingDataSource(primaryPool, replicaPool, Duration.ofMillis(500));
 * db.write(c -> c.createStatement().executeUpdate("INSERT INTO orders ..."));
 * long n = db.read(c -> count(c, "SELECT count(*) FROM orders")); // sees the insert
 * }</pre>
 */
public final class RoutingDataSource {
  private final DataSource primary;
  private final DataSource replica;
  private final Duration maxWait;
  private final AtomicReference<String> lastWrite = new AtomicReference<>();
  private volatile Route lastRoute = Route.PRIMARY;

  /**
   * @param primary connections to the leader (through PgBouncer: DATABASE_URL)
   * @param replica connections to a replica (READ_DATABASE_URL)
   * @param maxWait how long a read waits for the replica to replay the last write
   */
  public RoutingDataSource(DataSource primary, DataSource replica, Duration maxWait) {
    this.primary = Objects.requireNonNull(primary, "primary");
    this.replica = Objects.requireNonNull(replica, "replica");
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
  }

  /** Work in one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Where a read ran. */
  public enum Route {
    PRIMARY,
    REPLICA
  }

  /**
   * Runs {@code work} in a transaction on the primary, commits, and remembers the primary's WAL
   * position after the commit: later reads wait for a replica to replay it.
   */
  public <T> T write(Work<T> work) throws SQLException {
    try (Connection c = primary.getConnection()) {
      T result = inTransaction(c, false, work);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
        rs.next();
        advance(rs.getString(1));
      }
      return result;
    }
  }

  /**
   * Runs {@code work} in a read-only transaction on the replica once it has replayed this data
   * source's last write, else (not caught up within {@code maxWait}, or unreachable) on the
   * primary.
   */
  public <T> T read(Work<T> work) throws SQLException {
    String lsn = lastWrite.get();
    Connection c = replicaCaughtUp(lsn);
    if (c != null) {
      try (c) {
        lastRoute = Route.REPLICA;
        return inTransaction(c, true, work);
      }
    }
    try (Connection p = primary.getConnection()) {
      lastRoute = Route.PRIMARY;
      return inTransaction(p, true, work);
    }
  }

  /** Where the last {@link #read} ran (for tests and metrics). */
  public Route lastRoute() {
    return lastRoute;
  }

  /** The WAL position of the last write, {@code null} before the first. */
  public String lastWriteLsn() {
    return lastWrite.get();
  }

  /** A replica connection that has replayed {@code lsn}, or {@code null}. */
  private Connection replicaCaughtUp(String lsn) {
    Connection c;
    try {
      c = replica.getConnection();
    } catch (SQLException e) {
      return null;
    }
    if (lsn == null) {
      return c;
    }
    long deadline = System.nanoTime() + maxWait.toNanos();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT coalesce(pg_last_wal_replay_lsn() >= ?::pg_lsn, true)")) {
      ps.setString(1, lsn);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return c;
          }
        }
        if (System.nanoTime() > deadline) {
          break;
        }
        // Replay is usually milliseconds behind: poll briefly rather than give up at once.
        Thread.sleep(5);
      }
    } catch (SQLException e) {
      // the replica failed mid-check: the primary serves this read
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close(c);
    return null;
  }

  private static <T> T inTransaction(Connection c, boolean readOnly, Work<T> work)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      if (readOnly) {
        try (Statement s = c.createStatement()) {
          s.execute("SET TRANSACTION READ ONLY");
        }
      }
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** Keeps the highest LSN seen: concurrent writes finish in any order. */
  private void advance(String lsn) {
    lastWrite.accumulateAndGet(lsn, (a, b) -> a == null || compare(b, a) > 0 ? b : a);
  }

  /** Compares two {@code X/Y} LSNs. */
  static int compare(String a, String b) {
    return Long.compareUnsigned(value(a), value(b));
  }

  private static long value(String lsn) {
    int slash = lsn.indexOf('/');
    return (Long.parseUnsignedLong(lsn.substring(0, slash), 16) << 32)
        | Long.parseUnsignedLong(lsn.substring(slash + 1), 16);
  }

  private static void close(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // already gone
    }
  }
}
