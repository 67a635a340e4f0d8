package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import dev.strata.jdbc.migrate.MigrationStatus.State;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
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
          Plan plan = run.plan(migrations);
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
          Plan plan = run.plan(migrations);
          return run.applyDown(
              newestFirst(plan.applied()).stream().limit(count).toList(), plan, plan.state());
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
          Plan plan = run.plan(migrations);
          long current = plan.state().version();
          if (version >= current) {
            return run.applyUp(
                plan.pending().stream().filter(m -> m.version() <= version).toList(), plan.state());
          }
          return run.applyDown(
              newestFirst(plan.applied()).stream().filter(m -> m.version() > version).toList(),
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
    T run(Run run) throws SQLException;
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
        return work.run(new Run(c, lock));
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

  /** What {@link Run#plan} finds: the version, applied and pending files. */
  private record Plan(VersionTable.State state, List<Migration> applied, List<Migration> pending) {}

  /** One locked session. */
  private final class Run {
    final Connection c;
    final MigrationLock lock;

    Run(Connection c, MigrationLock lock) {
      this.c = c;
      this.lock = lock;
    }

    Plan plan(List<Migration> migrations) throws SQLException {
      VersionTable.State state = VersionTable.read(c);
      StatusReport report = new StatusReport(migrations, c, state);
      List<String> problems = report.problems(location, allowChangedFiles);
      if (!problems.isEmpty()) {
        throw StrataException.badInput(
            String.join("\n", problems),
            state.dirty()
                ? "put the database right by hand, then `strata migrate force VERSION`"
                    + " (Migrator.force) with the version it is really at"
                : report.hasChanged()
                    ? "restore the file as it was applied and put the change in a new migration;"
                        + " or accept the new content with --allow-changed"
                    : report.hasSkipped()
                        ? "give the file a version above "
                            + state.version()
                            + " (`strata migrate create` picks one) so it runs next"
                        : "restore the missing files (from version control), or point"
                            + " migrations.dir at the right folder");
      }
      List<Migration> applied =
          migrations.stream().filter(m -> m.version() <= state.version()).toList();
      List<Migration> pending =
          migrations.stream().filter(m -> m.version() > state.version()).toList();
      return new Plan(state, applied, pending);
    }

    List<MigrationStep> applyUp(List<Migration> todo, VersionTable.State state)
        throws SQLException {
      List<MigrationStep> steps = new ArrayList<>();
      long version = state.version();
      for (Migration m : todo) {
        MigrationStep step =
            execute(m, m.up(), version, m.version(), AuditLog.Direction.up, "applied");
        steps.add(step);
        listener.accept(step);
        version = m.version();
      }
      return steps;
    }

    List<MigrationStep> applyDown(List<Migration> todo, Plan plan, VersionTable.State state)
        throws SQLException {
      List<String> missing =
          todo.stream()
              .filter(m -> m.down().isEmpty())
              .map(m -> location + "/" + m.name() + ".down.sql")
              .toList();
      if (!missing.isEmpty()) {
        throw StrataException.badInput(
            "cannot undo: no down file "
                + String.join(", ", missing)
                + "; nothing was changed (still at version "
                + state.version()
                + ")",
            "write the down file, or undo the change in a new up migration");
      }
      List<MigrationStep> steps = new ArrayList<>();
      long version = state.version();
      List<Migration> applied = plan.applied();
      for (Migration m : todo) {
        int index = applied.indexOf(m);
        long previous = index == 0 ? VersionTable.NONE : applied.get(index - 1).version();
        MigrationStep step =
            execute(
                m, m.down().orElseThrow(), version, previous, AuditLog.Direction.down, "undone");
        steps.add(step);
        listener.accept(step);
        version = previous;
      }
      return steps;
    }

    private MigrationStep execute(
        Migration m,
        MigrationScript script,
        long before,
        long after,
        AuditLog.Direction direction,
        String verb)
        throws SQLException {
      lock.checkHeldBySession(c);
      String file = location + "/" + script.fileName();
      long start = System.nanoTime();
      if (script.noTransaction()) {
        long dirtyAt = direction == AuditLog.Direction.up ? m.version() : after;
        VersionTable.set(c, dirtyAt, true);
        runStatements(
            file,
            script,
            "The database is marked dirty at version "
                + dirtyAt
                + ": this file runs outside a transaction, so the statements before that line"
                + " stay applied.",
            "finish or undo the rest of "
                + script.fileName()
                + " by hand, then `strata migrate force "
                + (direction == AuditLog.Direction.up ? m.version() : after)
                + "` if it is now complete, or `strata migrate force "
                + before
                + "` if you undid it");
        long ms = elapsed(start);
        transaction(
            VersionTable.setSql(after, false)
                + ";\n"
                + AuditLog.insertSql(m.version(), m.name(), script.checksum(), direction, ms));
        return new MigrationStep(m.version(), script.fileName(), isUp(direction), after, ms(ms));
      }
      c.setAutoCommit(false);
      try {
        runStatements(
            file,
            script,
            "The migration was rolled back: the database is still at "
                + new DatabaseVersion(before, false)
                + " and not dirty.",
            "correct " + script.fileName() + " and run it again");
        long ms = elapsed(start);
        try (Statement s = c.createStatement()) {
          s.execute(
              VersionTable.setSql(after, false)
                  + ";\n"
                  + AuditLog.insertSql(m.version(), m.name(), script.checksum(), direction, ms));
        }
        c.commit();
        return new MigrationStep(m.version(), script.fileName(), isUp(direction), after, ms(ms));
      } catch (RuntimeException | SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }

    private void runStatements(String file, MigrationScript script, String state, String fix) {
      for (SqlStatements.Statement statement : script.statements()) {
        try (Statement s = c.createStatement()) {
          s.setEscapeProcessing(false);
          s.execute(statement.sql());
        } catch (SQLException e) {
          throw FailureReport.of(
              file,
              script,
              statement,
              e,
              state,
              fix,
              new FailureReport.Timeouts(lockTimeout, statementTimeout));
        }
      }
    }

    void transaction(String sql) throws SQLException {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(sql);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static List<Migration> newestFirst(List<Migration> migrations) {
    List<Migration> copy = new ArrayList<>(migrations);
    java.util.Collections.reverse(copy);
    return copy;
  }

  private static boolean isUp(AuditLog.Direction d) {
    return d == AuditLog.Direction.up;
  }

  private static long elapsed(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  /** Status of files against the database, and what blocks {@code up}. */
  private static final class StatusReport {
    private final List<Migration> migrations;
    private final VersionTable.State state;
    private final Map<Long, AuditLog.Applied> log;
    private final AuditLog.History history;

    StatusReport(List<Migration> migrations, Connection c) throws SQLException {
      this(migrations, c, VersionTable.read(c));
    }

    StatusReport(List<Migration> migrations, Connection c, VersionTable.State state)
        throws SQLException {
      this.migrations = migrations;
      this.state = state;
      this.history = AuditLog.history(c);
      this.log = history.applied();
    }

    List<MigrationStatus> rows() {
      List<MigrationStatus> rows = new ArrayList<>();
      TreeSet<Long> versions = new TreeSet<>();
      migrations.forEach(m -> versions.add(m.version()));
      missingVersions().forEach(versions::add);
      for (long v : versions) {
        Optional<Migration> file = migrations.stream().filter(m -> m.version() == v).findFirst();
        Optional<AuditLog.Applied> applied =
            v <= state.version() ? Optional.ofNullable(log.get(v)) : Optional.empty();
        State s;
        if (state.dirty() && v == state.version()) {
          s = State.DIRTY;
        } else if (file.isEmpty()) {
          s = State.MISSING;
        } else if (v > state.version()) {
          s = State.PENDING;
        } else if (skipped(v)) {
          s = State.SKIPPED;
        } else if (applied.isPresent()
            && applied.get().checksum() != null
            && !applied.get().checksum().equals(file.get().up().checksum())) {
          s = State.CHANGED;
        } else {
          s = State.APPLIED;
        }
        rows.add(
            new MigrationStatus(
                v,
                file.map(Migration::name)
                    .orElse(applied.map(AuditLog.Applied::name).orElse(Long.toString(v))),
                s,
                applied.map(AuditLog.Applied::at),
                applied.map(AuditLog.Applied::by),
                file.map(m -> m.up().checksum()),
                applied.map(AuditLog.Applied::checksum),
                file.map(m -> m.down().isPresent()).orElse(false)));
      }
      return rows;
    }

    /**
     * Whether version {@code v}, at or below the current version, never ran: Strata applies in
     * order, so a version between the first one Strata applied and the current one that is not in
     * the log was added later, behind newer migrations (golang-migrate would skip it silently).
     * Versions at or below a forced version are taken as the user said.
     */
    private boolean skipped(long v) {
      return !history.ran().contains(v) && v > history.firstUp() && v > history.maxForced();
    }

    /** Applied versions (per the log, or the current one) that no file has. */
    private List<Long> missingVersions() {
      TreeSet<Long> missing = new TreeSet<>();
      log.keySet().stream().filter(v -> v <= state.version()).forEach(missing::add);
      if (state.version() >= 0) {
        missing.add(state.version());
      }
      migrations.forEach(m -> missing.remove(m.version()));
      return List.copyOf(missing);
    }

    boolean hasChanged() {
      return rows().stream().anyMatch(r -> r.state() == State.CHANGED);
    }

    boolean hasSkipped() {
      return rows().stream().anyMatch(r -> r.state() == State.SKIPPED);
    }

    List<String> problems(MigrationLocation location, boolean allowChanged) {
      List<String> problems = new ArrayList<>();
      if (state.dirty()) {
        problems.add(
            "the database is dirty at version "
                + state.version()
                + ": a no-transaction migration (or golang-migrate) stopped part-way, and"
                + " nothing runs until that is resolved");
      }
      for (MigrationStatus row : rows()) {
        if (row.state() == State.CHANGED && !allowChanged) {
          problems.add(
              location
                  + "/"
                  + row.name()
                  + ".up.sql changed since it was applied: applied with sha256 "
                  + row.appliedChecksum().orElse("?")
                  + ", the file now has sha256 "
                  + row.fileChecksum().orElse("?"));
        } else if (row.state() == State.SKIPPED) {
          problems.add(
              location
                  + "/"
                  + row.name()
                  + ".up.sql was never applied: its version "
                  + row.version()
                  + " is below the database's version "
                  + state.version()
                  + ", so it arrived after newer migrations ran");
        } else if (row.state() == State.MISSING) {
          problems.add(
              "version "
                  + row.version()
                  + " ("
                  + row.name()
                  + ") is applied to the database but has no file in "
                  + location);
        }
      }
      return problems;
    }
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
