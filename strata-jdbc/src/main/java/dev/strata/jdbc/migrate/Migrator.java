package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Applies migration folders of golang-migrate, Flyway or Prisma to a PostgreSQL database, recording
 * them in that tool's own table, so that a run cannot half-apply silently and the tool itself still
 * agrees on what is applied.
 *
 * <pre>{@code
 * MigrateResult result = Migrator.of(dataSource, "classpath:db/migrations").up();
 * }</pre>
 *
 * <ul>
 *   <li>The format comes from the file names ({@code 000001_x.up.sql}, {@code V1__x.sql}, {@code
 *       20260101000000_x/migration.sql}); a file that matches no rule is an error naming it.
 *   <li>One runner at a time: a session advisory lock (the tool's own key) on one direct
 *       connection; other runners wait, then find nothing to do. Pooled URLs are refused.
 *   <li>Each migration runs in its own transaction together with its bookkeeping: a failure leaves
 *       the version unchanged and the database clean. A file with its own BEGIN/COMMIT is refused
 *       before anything runs.
 *   <li>A file whose first line is {@code -- strata:no-transaction} runs statement by statement
 *       outside a transaction, marked dirty before and clean after.
 *   <li>{@code lock_timeout} and {@code statement_timeout} bound every statement ({@code CREATE
 *       INDEX CONCURRENTLY} waits without {@code lock_timeout}); the session is reset after.
 *   <li>A file changed since it was applied stops {@code up} until {@link #repair()} accepts it.
 *   <li>A database ahead of the files is a warning (an error when {@link Builder#strict strict}).
 *   <li>Errors name the file and line, with PostgreSQL's message.
 * </ul>
 *
 * <p>Bookkeeping lives in the schema current when the run starts, named with it. Instances are
 * immutable and thread-safe.
 */
public final class Migrator {
  private final DataSource dataSource;
  private final MigrationLocation location;
  private final Duration lockTimeout;
  private final Duration statementTimeout;
  private final Duration lockWait;
  private final boolean strict;
  private final Consumer<MigrationStep> listener;

  private Migrator(Builder b) {
    this.dataSource = b.dataSource;
    this.location = b.location;
    this.lockTimeout = b.lockTimeout;
    this.statementTimeout = b.statementTimeout;
    this.lockWait = b.lockWait;
    this.strict = b.strict;
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

  /** Applies every pending migration (and, in a Flyway folder, changed repeatable ones). */
  public MigrateResult up() {
    return up(Integer.MAX_VALUE);
  }

  /**
   * Applies the next {@code count} pending migrations, each in its own transaction.
   *
   * @throws StrataException when the database is dirty, an applied file changed, a file is missing,
   *     a file has its own transaction control, or a migration fails (naming its file and line)
   */
  public MigrateResult up(int count) {
    requirePositive(count);
    long start = System.nanoTime();
    return result(
        locked(
            run -> {
              MigrationRun.Plan plan = run.plan();
              List<Migration> todo = plan.pending().stream().limit(count).toList();
              boolean all = todo.size() == plan.pending().size();
              return new Outcome(run, plan, run.applyUp(todo, plan, all));
            }),
        start);
  }

  /**
   * Undoes the last {@code count} applied migrations, newest first.
   *
   * @throws StrataException before touching anything when one of them has no down file
   */
  public MigrateResult down(int count) {
    requirePositive(count);
    long start = System.nanoTime();
    return result(
        locked(
            run -> {
              MigrationRun.Plan plan = run.plan();
              return new Outcome(
                  run,
                  plan,
                  run.applyDown(
                      MigrationRun.newestFirst(plan.applied()).stream().limit(count).toList(),
                      plan));
            }),
        start);
  }

  /** Undoes every applied migration, newest first (refusing first if a down file is missing). */
  public MigrateResult downAll() {
    return down(Integer.MAX_VALUE);
  }

  /**
   * Migrates up or down to {@code version}, which must be one of the files' versions ({@code strata
   * migrate goto V}).
   *
   * @throws StrataException when no file has that version, or a down file on the way is missing
   */
  public MigrateResult goTo(long version) {
    List<Migration> migrations = location.read().migrations();
    if (migrations.stream().noneMatch(m -> m.version() == version)) {
      throw StrataException.badInput(
          "no migration has version " + version + " in " + location,
          "choose one of: " + versions(migrations));
    }
    long start = System.nanoTime();
    return result(
        locked(
            run -> {
              MigrationRun.Plan plan = run.plan();
              if (version >= plan.state().current()) {
                return new Outcome(
                    run,
                    plan,
                    run.applyUp(
                        plan.pending().stream().filter(m -> m.version() <= version).toList(),
                        plan,
                        false));
              }
              return new Outcome(
                  run,
                  plan,
                  run.applyDown(
                      MigrationRun.newestFirst(plan.applied()).stream()
                          .filter(m -> m.version() > version)
                          .toList(),
                      plan));
            }),
        start);
  }

  /**
   * Records the database as being at {@code version} and clean, running no SQL: to recover from a
   * no-transaction migration that stopped part-way, once the database was put right by hand. In a
   * golang-migrate folder any version ({@code -1} means "none applied"); in a Flyway or Prisma
   * folder the failed version (it is complete now) or the one before it (it was undone), as {@code
   * flyway repair} and {@code prisma migrate resolve} do. The change is recorded.
   *
   * @return the version before
   */
  public DatabaseVersion force(long version) {
    if (version < -1) {
      throw StrataException.badInput(
          "cannot force version " + version + ": versions are positive (-1 means none)",
          "give a migration's version, or -1");
    }
    return locked(
            run -> {
              Ledger.State state = run.ledger.read(run.c, run.folder);
              DatabaseVersion before =
                  new DatabaseVersion(state.current(), state.dirty().isPresent());
              if (run.folder.format() != FolderFormat.GOLANG_MIGRATE) {
                if (state.dirty().isEmpty()) {
                  throw StrataException.badInput(
                      "nothing to force: no migration in "
                          + run.ledger.display()
                          + " stopped part-way (the database is at "
                          + before
                          + ")",
                      "force resolves a failed migration; `strata migrate baseline V` adopts a"
                          + " database at version V");
                }
                long failed = state.dirty().getAsLong();
                long previous =
                    state.applied().keySet().stream()
                        .filter(v -> v < failed)
                        .max(Long::compare)
                        .orElse(-1L);
                if (version != failed && version != previous) {
                  throw StrataException.badInput(
                      "version "
                          + failed
                          + " stopped part-way; force "
                          + version
                          + " says neither"
                          + " that it is complete nor that it was undone",
                      "`strata migrate force "
                          + failed
                          + "` if you finished it by hand, `strata"
                          + " migrate force "
                          + previous
                          + "` if you undid it");
                }
              }
              run.transaction(run.ledger.forceSql(version, state, run.folder));
              return new Outcome(run.folder.format(), null, List.of(), before, List.of());
            })
        .before();
  }

  /**
   * Adopts an existing database at {@code version}: the files up to it count as applied, without
   * running them ({@code strata migrate baseline V}, Flyway's {@code baseline}). Refused when the
   * table already records migrations.
   *
   * @return the version after
   */
  public DatabaseVersion baseline(long version) {
    List<Migration> migrations = location.read().migrations();
    if (migrations.stream().noneMatch(m -> m.version() == version)) {
      throw StrataException.badInput(
          "no migration has version " + version + " in " + location,
          "baseline at one of: " + versions(migrations));
    }
    return locked(
            run -> {
              Ledger.State state = run.ledger.read(run.c, run.folder);
              if (!state.applied().isEmpty() || state.dirty().isPresent()) {
                throw StrataException.badInput(
                    "cannot baseline: "
                        + run.ledger.display()
                        + " already records migrations (the database is at "
                        + new DatabaseVersion(state.current(), state.dirty().isPresent())
                        + ")",
                    "baseline adopts a database no tool migrated yet; see `strata migrate status`");
              }
              run.transaction(run.ledger.baselineSql(version, run.folder));
              return new Outcome(
                  run.folder.format(),
                  null,
                  List.of(),
                  new DatabaseVersion(version, false),
                  List.of());
            })
        .before();
  }

  /**
   * Accepts the current content of applied files that changed since (after you reviewed the
   * change): their new checksums are recorded, and {@code up} and {@code down} go on.
   *
   * @return the migrations whose checksum was accepted; empty when none had changed
   */
  public List<MigrationStatus> repair() {
    return locked(
            run -> {
              Ledger.State state = run.ledger.read(run.c, run.folder);
              StatusReport report = new StatusReport(run.folder, run.ledger, state, "" + location);
              List<Migration> changed = report.changed();
              if (!changed.isEmpty()) {
                run.transaction(run.ledger.repairSql(changed));
              }
              List<MigrationStatus> rows =
                  report.rows().stream()
                      .filter(r -> r.state() == MigrationStatus.State.CHANGED)
                      .toList();
              return new Outcome(run.folder.format(), null, List.of(), null, rows);
            })
        .repaired();
  }

  /**
   * What {@link #up()} would run, statement by statement, with transaction boundaries and locks,
   * running nothing and taking no lock.
   *
   * @throws StrataException for what {@code up} would refuse
   */
  public MigrationPlan plan() {
    MigrationFolder folder = location.read();
    return read(
        folder,
        (c, ledger) -> {
          Ledger.State state = ledger.read(c, folder);
          MigrationRun.Plan plan = MigrationRun.plan(state, folder, ledger, "" + location, strict);
          List<MigrationPlan.File> files = new ArrayList<>();
          List<Migration> todo = new ArrayList<>(plan.pending());
          todo.addAll(plan.repeatables());
          for (Migration m : todo) {
            MigrationScript script = m.up();
            List<MigrationPlan.Step> steps = new ArrayList<>();
            for (SqlStatements.Statement st : script.statements()) {
              steps.add(
                  new MigrationPlan.Step(
                      SqlStatements.lineOf(script.sql(), st.offset()),
                      st.sql(),
                      LockInfo.of(st.sql())));
            }
            files.add(
                new MigrationPlan.File(
                    location + "/" + script.fileName(),
                    m.version(),
                    !script.noTransaction(),
                    steps));
          }
          return new MigrationPlan(
              folder.format(), plan.version(), files, plan.report().warnings(strict));
        });
  }

  /** The database's version, without taking the lock or creating any table. */
  public DatabaseVersion version() {
    MigrationFolder folder = location.read();
    return read(
        folder,
        (c, ledger) -> {
          Ledger.State s = ledger.read(c, folder);
          return new DatabaseVersion(s.current(), s.dirty().isPresent());
        });
  }

  /** The folder's format, from its file names. */
  public FolderFormat format() {
    return location.read().format();
  }

  /**
   * Every migration known to the files or the database, ordered by version: applied, pending,
   * changed since applied, skipped, missing, ahead, or dirty.
   */
  public List<MigrationStatus> status() {
    MigrationFolder folder = location.read();
    return read(
        folder,
        (c, ledger) ->
            new StatusReport(folder, ledger, ledger.read(c, folder), "" + location).rows());
  }

  /**
   * What should be looked at without stopping {@code up}: a database ahead of the files, INVALID
   * indexes a failed {@code CREATE INDEX CONCURRENTLY} left.
   */
  public List<String> warnings() {
    MigrationFolder folder = location.read();
    return read(
        folder,
        (c, ledger) -> {
          List<String> out =
              new ArrayList<>(
                  new StatusReport(folder, ledger, ledger.read(c, folder), "" + location)
                      .warnings(strict));
          out.addAll(StatusReport.invalidIndexes(c, ledger.schema));
          return out;
        });
  }

  /**
   * What stands in the way of {@code up}: a dirty database, changed, skipped or missing files (and,
   * when strict, a database ahead of the files). Empty when the next {@code up} can run.
   */
  public List<String> problems() {
    MigrationFolder folder = location.read();
    return read(
        folder,
        (c, ledger) ->
            new StatusReport(folder, ledger, ledger.read(c, folder), "" + location)
                .problems(strict));
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

  /**
   * Refuses {@code url} ({@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://})
   * when it goes through a connection pooler, naming the part of it that says so.
   *
   * @throws StrataException with the reason in one line and the fix
   */
  public static void refusePooledUrl(String url) {
    PoolerCheck.refuseIfPooled(url);
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

  /** What a locked run did. */
  private record Outcome(
      FolderFormat format,
      MigrationRun.Plan plan,
      List<MigrationStep> steps,
      DatabaseVersion before,
      List<MigrationStatus> repaired) {
    Outcome(MigrationRun run, MigrationRun.Plan plan, List<MigrationStep> steps) {
      this(run.folder.format(), plan, steps, plan.version(), List.of());
    }
  }

  private interface Work {
    Outcome run(MigrationRun run) throws SQLException;
  }

  private interface Read<T> {
    T read(Connection c, Ledger ledger) throws SQLException;
  }

  private <T> T read(MigrationFolder folder, Read<T> work) {
    try (Connection c = connect()) {
      PoolerCheck.refuseIfPooled(c.getMetaData().getURL());
      PoolerCheck.refuseIfRelayed(c);
      String[] where = databaseAndSchema(c);
      return work.read(c, Ledger.of(folder.format(), where[1]));
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private Outcome locked(Work work) {
    MigrationFolder folder = location.read();
    try (Connection c = connect()) {
      PoolerCheck.refuseIfPooled(c.getMetaData().getURL());
      PoolerCheck.refuseIfRelayed(c);
      c.setAutoCommit(true);
      String[] where = databaseAndSchema(c);
      Ledger ledger = Ledger.of(folder.format(), where[1]);
      String restore = sessionSettings(c);
      setTimeouts(c, lockTimeout, statementTimeout);
      MigrationLock lock =
          MigrationLock.acquire(
              c, MigrationLock.key(folder.format(), where[0], where[1]), lockWait);
      Exception failure = null;
      try {
        ledger.create(c);
        MigrationRun run =
            new MigrationRun(
                c,
                lock,
                ledger,
                folder,
                "" + location,
                new FailureReport.Timeouts(lockTimeout, statementTimeout),
                strict,
                listener,
                resetSql(restore) + ";\n" + timeoutsSql(lockTimeout, statementTimeout));
        return work.run(run);
      } catch (RuntimeException | SQLException e) {
        failure = e;
        throw e;
      } finally {
        unlock(c, lock, restore, failure);
      }
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private MigrateResult result(Outcome o, long startNanos) {
    List<MigrationStep> steps = o.steps();
    DatabaseVersion after =
        steps.isEmpty()
            ? o.before()
            : new DatabaseVersion(steps.get(steps.size() - 1).versionAfter(), false);
    return new MigrateResult(
        o.format(),
        o.before(),
        after,
        steps,
        o.plan().report().warnings(strict),
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /** {@code current_database()} and {@code current_schema()}, where the bookkeeping lives. */
  private static String[] databaseAndSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database(), current_schema()")) {
      rs.next();
      if (rs.getString(2) == null) {
        throw StrataException.badInput(
            "the connection has no current schema (search_path names no existing schema)",
            "create the schema or fix search_path / currentSchema in the URL");
      }
      return new String[] {rs.getString(1), rs.getString(2)};
    }
  }

  /**
   * The settings the connection came with from its pool (a pool's {@code setSchema} is a session
   * {@code SET search_path}), as the SQL that puts them back after {@code RESET ALL}; empty when
   * there are none.
   */
  private static String sessionSettings(Connection c) throws SQLException {
    StringBuilder sql = new StringBuilder();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT name, setting FROM pg_settings WHERE source = 'session'")) {
      while (rs.next()) {
        sql.append(sql.isEmpty() ? "SELECT " : ", ")
            .append("set_config(")
            .append(Ledger.literal(rs.getString(1)))
            .append(", ")
            .append(Ledger.literal(rs.getString(2)))
            .append(", false)");
      }
    }
    return sql.toString();
  }

  /**
   * Releases the lock and resets the whole session (what the files set too: search_path, role,
   * settings), then puts back the settings the connection came with, so a pooled connection goes
   * back as it came. A failure here while another error propagates is attached to it, never in its
   * place (as Flyway does).
   */
  private static void unlock(Connection c, MigrationLock lock, String restore, Exception failure)
      throws SQLException {
    try {
      if (c.isClosed()) {
        return;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      try (Statement s = c.createStatement()) {
        s.execute(resetSql(restore));
      }
      lock.release(c);
    } catch (SQLException e) {
      if (failure == null) {
        throw e;
      }
      failure.addSuppressed(e);
    }
  }

  /** What undoes every SET of the files and puts back what the connection came with. */
  private static String resetSql(String restore) {
    return "RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL"
        + (restore.isEmpty() ? "" : "; " + restore);
  }

  private static String timeoutsSql(Duration lock, Duration statement) {
    return "SET lock_timeout = "
        + lock.toMillis()
        + "; SET statement_timeout = "
        + statement.toMillis();
  }

  private static void setTimeouts(Connection c, Duration lock, Duration statement)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(timeoutsSql(lock, statement));
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
    if (e.getSQLState() != null
        && (e.getSQLState().startsWith("08") || e.getSQLState().equals("57P01"))) {
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
   * 15 min, wait up to 10 min for another runner's lock, a database ahead of the files a warning.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private final MigrationLocation location;
    private Duration lockTimeout = Duration.ofSeconds(10);
    private Duration statementTimeout = Duration.ofMinutes(15);
    private Duration lockWait = Duration.ofMinutes(10);
    private boolean strict;
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

    /**
     * Whether a database ahead of the files (a version applied that no file has, newer than all of
     * them) stops a run instead of being a warning. Default false.
     */
    public Builder strict(boolean strict) {
      this.strict = strict;
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
