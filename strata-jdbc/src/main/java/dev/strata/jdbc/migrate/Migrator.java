package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Applies golang-migrate-compatible migration files to a PostgreSQL database, so that a run cannot
 * half-apply silently.
 *
 * <pre>{@code
 * Migrator.of(dataSource, "classpath:db/migrations").up();
 * }</pre>
 *
 * <ul>
 *   <li>One runner at a time: a session advisory lock (golang-migrate's key) on one direct
 *       connection; other runners wait, then find nothing to do. Pooled URLs are refused.
 *   <li>Each migration runs in its own transaction together with its version bump: a failure leaves
 *       the version unchanged and the database clean.
 *   <li>A file whose first line is {@code -- strata:no-transaction} runs statement by statement
 *       outside a transaction, the version marked dirty before and clean after.
 *   <li>{@code lock_timeout} and {@code statement_timeout} bound every statement.
 *   <li>A file changed since it was applied stops {@code up}, unless allowed.
 *   <li>Errors name the file and line, with PostgreSQL's message.
 * </ul>
 *
 * <p>State: golang-migrate's {@code schema_migrations} (one row: version, dirty) and Strata's
 * {@code strata_migrations_log} (every file run, with its SHA-256, who, when and how long), both in
 * the connection's current schema. Instances are immutable and thread-safe.
 */
public final class Migrator {
  private final DataSource dataSource;
  private final MigrationLocation location;
  private final Duration lockTimeout;
  private final Duration statementTimeout;
  private final Duration lockWait;
  private final boolean allowChangedFiles;
  private final Consumer<MigrationStep> listener;

  private Migrator(Builder b) {
    this.dataSource = b.dataSource;
    this.location = b.location;
    this.lockTimeout = b.lockTimeout;
    this.statementTimeout = b.statementTimeout;
    this.lockWait = b.lockWait;
    this.allowChangedFiles = b.allowChangedFiles;
    this.listener = b.listener;
  }

  /**
   * A migrator with every default.
   *
   * @param location {@code classpath:db/migrations}, {@code filesystem:migrations} or a folder
   */
  public static Migrator of(DataSource dataSource, String location) {
    return builder(dataSource, MigrationLocation.of(location)).build();
  }

  /** A migrator for the files in {@code dir}, with every default. */
  public static Migrator of(DataSource dataSource, Path dir) {
    return builder(dataSource, MigrationLocation.folder(dir)).build();
  }

  public static Builder builder(DataSource dataSource, MigrationLocation location) {
    return new Builder(dataSource, location);
  }

  /** Applies every pending migration. */
  public List<MigrationStep> up() {
    return up(Integer.MAX_VALUE);
  }

  /**
   * Applies the next {@code count} pending migrations, each in its own transaction.
   *
   * @return what ran; empty when nothing was pending
   * @throws StrataException when the database is dirty, an applied file changed, a file is missing,
   *     or a migration fails (naming its file and line)
   */
  public List<MigrationStep> up(int count) {
    requirePositive(count);
    List<Migration> migrations = location.load();
    return locked(
        run -> {
          MigrationRun.Plan plan = run.plan(migrations);
          return run.applyUp(plan.pending().stream().limit(count).toList(), plan.state());
        });
  }

  /**
   * Undoes the last {@code count} applied migrations, newest first.
   *
   * @throws StrataException before touching anything when one of them has no down file
   */
  public List<MigrationStep> down(int count) {
    requirePositive(count);
    List<Migration> migrations = location.load();
    return locked(
        run -> {
          MigrationRun.Plan plan = run.plan(migrations);
          return run.applyDown(
              MigrationRun.newestFirst(plan.applied()).stream().limit(count).toList(),
              plan,
              plan.state());
        });
  }

  /** Undoes every applied migration, newest first (refusing first if a down file is missing). */
  public List<MigrationStep> downAll() {
    return down(Integer.MAX_VALUE);
  }

  /**
   * Migrates up or down to {@code version}, which must be one of the files' versions.
   *
   * @throws StrataException when no file has that version, or a down file on the way is missing
   */
  public List<MigrationStep> migrateTo(long version) {
    List<Migration> migrations = location.load();
    if (migrations.stream().noneMatch(m -> m.version() == version)) {
      throw StrataException.badInput(
          "no migration has version " + version + " in " + location,
          "choose one of: " + versions(migrations));
    }
    return locked(
        run -> {
          MigrationRun.Plan plan = run.plan(migrations);
          long current = plan.state().version();
          if (version >= current) {
            return run.applyUp(
                plan.pending().stream().filter(m -> m.version() <= version).toList(), plan.state());
          }
          return run.applyDown(
              MigrationRun.newestFirst(plan.applied()).stream()
                  .filter(m -> m.version() > version)
                  .toList(),
              plan,
              plan.state());
        });
  }

  /**
   * Sets the version to {@code version} and clears the dirty flag, running no SQL: to recover from
   * a no-transaction migration that stopped part-way, once the database was put right by hand.
   * {@code -1} means "no migration applied". The change is logged.
   *
   * @return the version before
   */
  public DatabaseVersion force(long version) {
    if (version < -1) {
      throw StrataException.badInput(
          "cannot force version " + version + ": versions are positive (-1 means none)",
          "give a migration's version, or -1");
    }
    List<Migration> migrations = location.load();
    return locked(
        run -> {
          VersionTable.State before = VersionTable.read(run.c);
          String name =
              migrations.stream()
                  .filter(m -> m.version() == version)
                  .map(Migration::name)
                  .findFirst()
                  .orElse(Long.toString(version));
          run.transaction(
              VersionTable.setSql(version, false)
                  + ";\n"
                  + AuditLog.insertSql(version, name, null, AuditLog.Direction.force, 0));
          return new DatabaseVersion(before.version(), before.dirty());
        });
  }

  /** The database's version, without taking the lock or creating any table. */
  public DatabaseVersion version() {
    return read(
        c -> {
          VersionTable.State s = VersionTable.read(c);
          return new DatabaseVersion(s.version(), s.dirty());
        });
  }

  /**
   * Every migration known to the files or the database, ordered by version: applied, pending,
   * changed since applied, missing, or dirty.
   */
  public List<MigrationStatus> status() {
    List<Migration> migrations = location.load();
    return read(c -> new StatusReport(migrations, c).rows());
  }

  /**
   * What stands in the way of {@code up}: a dirty database, changed or missing files, a current
   * version no file has. Empty when the next {@code up} can run.
   */
  public List<String> problems() {
    List<Migration> migrations = location.load();
    return read(c -> new StatusReport(migrations, c).problems(location, allowChangedFiles));
  }

  /**
   * Checks the files and the database without changing anything.
   *
   * @throws StrataException listing every {@link #problems() problem}
   */
  public void validate() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw StrataException.badInput(
          problems.size()
              + (problems.size() == 1 ? " problem" : " problems")
              + " with "
              + location
              + ":\n  - "
              + String.join("\n  - ", problems),
          "see `strata migrate status`");
    }
  }

  /** The location the files are read from. */
  public MigrationLocation location() {
    return location;
  }

  private static void requirePositive(int count) {
    if (count <= 0) {
      throw StrataException.badInput(
          "the number of migrations must be positive, was " + count, "give 1 or more");
    }
  }

  private static String versions(List<Migration> migrations) {
    return migrations.isEmpty()
        ? "(there are no migrations)"
        : String.join(", ", migrations.stream().map(m -> Long.toString(m.version())).toList());
  }

  private interface Work<T> {
    T run(MigrationRun run) throws SQLException;
  }

  private interface Read<T> {
    T read(Connection c) throws SQLException;
  }

  private <T> T read(Read<T> work) {
    try (Connection c = connect()) {
      PoolerCheck.refuseIfPooled(c.getMetaData().getURL());
      return work.read(c);
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private <T> T locked(Work<T> work) {
    try (Connection c = connect()) {
      PoolerCheck.refuseIfPooled(c.getMetaData().getURL());
      c.setAutoCommit(true);
      setTimeouts(c, lockTimeout, statementTimeout);
      MigrationLock lock = MigrationLock.acquire(c, lockWait);
      Exception failure = null;
      try {
        VersionTable.create(c);
        AuditLog.create(c);
        return work.run(
            new MigrationRun(
                c,
                lock,
                location,
                new FailureReport.Timeouts(lockTimeout, statementTimeout),
                allowChangedFiles,
                listener));
      } catch (RuntimeException | SQLException e) {
        failure = e;
        throw e;
      } finally {
        unlock(c, lock, failure);
      }
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /**
   * Releases the lock and the session settings, so a pooled connection goes back clean. A failure
   * here while another error propagates is attached to it, never in its place (as Flyway does).
   */
  private static void unlock(Connection c, MigrationLock lock, Exception failure)
      throws SQLException {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      lock.release(c);
      resetTimeouts(c);
    } catch (SQLException e) {
      if (failure == null) {
        throw e;
      }
      failure.addSuppressed(e);
    }
  }

  private static void setTimeouts(Connection c, Duration lock, Duration statement)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "SET lock_timeout = "
              + lock.toMillis()
              + "; SET statement_timeout = "
              + statement.toMillis());
    }
  }

  private static void resetTimeouts(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("RESET lock_timeout; RESET statement_timeout");
    }
  }

  private Connection connect() {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw StrataException.environment(
          "cannot reach the database to migrate: " + e.getMessage(),
          "check that PostgreSQL is running (strata status) and the URL, user and password");
    }
  }

  /** A statement of Strata's own bookkeeping failed (the files' own errors name file and line). */
  private static StrataException failed(SQLException e) {
    if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
      return StrataException.environment(
          "lost the connection to the database while migrating: " + e.getMessage(),
          "check the server (strata status), then `strata migrate status` to see where it stopped");
    }
    return StrataException.failed(
        "the database refused a migration step: " + e.getMessage(),
        "migrate as the role that owns the schema (the owner role: DIRECT_URL in `strata env`)",
        e);
  }

  /**
   * Settings of a {@link Migrator}. Defaults: {@code lock_timeout} 10 s, {@code statement_timeout}
   * 15 min, wait up to 10 min for another runner's lock, changed files refused.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private final MigrationLocation location;
    private Duration lockTimeout = Duration.ofSeconds(10);
    private Duration statementTimeout = Duration.ofMinutes(15);
    private Duration lockWait = Duration.ofMinutes(10);
    private boolean allowChangedFiles;
    private Consumer<MigrationStep> listener = step -> {};

    private Builder(DataSource dataSource, MigrationLocation location) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
      this.location = Objects.requireNonNull(location, "location must not be null");
    }

    /** PostgreSQL's {@code lock_timeout} for the session; zero waits forever. Default 10 s. */
    public Builder lockTimeout(Duration timeout) {
      this.lockTimeout = nonNegative(timeout, "lockTimeout");
      return this;
    }

    /** PostgreSQL's {@code statement_timeout} for the session; zero means none. Default 15 min. */
    public Builder statementTimeout(Duration timeout) {
      this.statementTimeout = nonNegative(timeout, "statementTimeout");
      return this;
    }

    /** How long to wait for another runner to release the migration lock. Default 10 min. */
    public Builder lockWait(Duration wait) {
      this.lockWait = nonNegative(wait, "lockWait");
      return this;
    }

    /** Whether {@code up} goes on when an applied file changed since. Default false. */
    public Builder allowChangedFiles(boolean allow) {
      this.allowChangedFiles = allow;
      return this;
    }

    /** Called after each file applied or undone (for progress output). */
    public Builder onStep(Consumer<MigrationStep> listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    public Migrator build() {
      return new Migrator(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name + " must not be null");
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
