package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.zip.CRC32;

/**
 * The session-level advisory lock that lets one runner migrate a database at a time, on the same
 * key the folder's own tool uses, so a Strata runner and a golang-migrate (or Prisma) runner
 * exclude each other too: golang-migrate's key for {@code schema_migrations} and Flyway folders,
 * Prisma Migrate's fixed {@code 72707369} for Prisma folders. (Flyway itself locks with a
 * transaction-level lock of its own, so a Flyway runner is not excluded.)
 *
 * <p>Waiting runners poll {@code pg_try_advisory_lock} instead of blocking in {@code
 * pg_advisory_lock}: a blocked call is a running statement with a snapshot, and {@code CREATE INDEX
 * CONCURRENTLY} in the holder's migration waits for every older snapshot to go away, so the holder
 * and the waiters would deadlock. Between polls a waiter holds no snapshot and no transaction.
 */
final class MigrationLock {
  private static final long GOLANG_MIGRATE_SALT = 1486364155L;

  /** Prisma Migrate's lock: {@code SELECT pg_advisory_lock(72707369)} in its schema engine. */
  static final long PRISMA_KEY = 72707369L;

  private final long key;
  private final int backendPid;

  private MigrationLock(long key, int backendPid) {
    this.key = key;
    this.backendPid = backendPid;
  }

  /**
   * golang-migrate's {@code GenerateAdvisoryLockId(database, schema, table)}: CRC-32 (IEEE) of
   * {@code schema \0 table \0 database}, times a salt, as an unsigned 32-bit number.
   */
  static long key(String database, String schema, String table) {
    CRC32 crc = new CRC32();
    crc.update((schema + "\0" + table + "\0" + database).getBytes(StandardCharsets.UTF_8));
    return (crc.getValue() * GOLANG_MIGRATE_SALT) & 0xFFFF_FFFFL;
  }

  /**
   * The key for a folder of {@code format} whose table is in {@code schema} of {@code database}.
   */
  static long key(FolderFormat format, String database, String schema) {
    return format == FolderFormat.PRISMA ? PRISMA_KEY : key(database, schema, format.table());
  }

  /**
   * Takes the lock {@code key} on {@code c} (in auto-commit mode), waiting up to {@code wait}.
   *
   * @throws StrataException when another runner still holds it after {@code wait}, or when the
   *     connection does not keep its session (a transaction pooler)
   */
  static MigrationLock acquire(Connection c, long key, Duration wait) throws SQLException {
    long deadline = System.nanoTime() + wait.toNanos();
    long pause = 10;
    while (true) {
      try (PreparedStatement s =
          c.prepareStatement("SELECT pg_try_advisory_lock(?), pg_backend_pid()")) {
        s.setLong(1, key);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            MigrationLock lock = new MigrationLock(key, rs.getInt(2));
            lock.checkHeldBySession(c);
            return lock;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw StrataException.failed(
            "another migration runner still holds the migration lock after "
                + wait.toSeconds()
                + " s ("
                + holder(c, key)
                + ")",
            "wait for it to finish; if it is stuck, end that session with"
                + " pg_terminate_backend(pid)",
            null);
      }
      sleep(pause);
      pause = Math.min(pause * 2, 500);
    }
  }

  /**
   * Whether the lock is still held by the session this connection talks to. Behind a transaction
   * pooler the next statement may run on another server session, which does not hold it.
   */
  void checkHeldBySession(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT pg_backend_pid(), EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                + " AND granted AND pid = pg_backend_pid() AND objsubid = 1"
                + " AND ((classid::bigint << 32) | objid::bigint) = ?)")) {
      s.setLong(1, key);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        if (rs.getInt(1) != backendPid || !rs.getBoolean(2)) {
          throw PoolerCheck.lostSession();
        }
      }
    }
  }

  void release(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      s.setLong(1, key);
      s.execute();
    }
  }

  private static String holder(Connection c, long key) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT l.pid, a.usename, a.application_name, a.backend_start FROM pg_locks l"
                + " LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"
                + " AND l.granted AND l.objsubid = 1"
                + " AND ((l.classid::bigint << 32) | l.objid::bigint) = ?")) {
      s.setLong(1, key);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return "it was just released";
        }
        return "held by pid "
            + rs.getInt(1)
            + ", user "
            + rs.getString(2)
            + (rs.getString(3) == null || rs.getString(3).isEmpty()
                ? ""
                : ", application " + rs.getString(3))
            + ", connected at "
            + rs.getTimestamp(4);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw StrataException.failed("interrupted while waiting for the migration lock", "", e);
    }
  }
}
