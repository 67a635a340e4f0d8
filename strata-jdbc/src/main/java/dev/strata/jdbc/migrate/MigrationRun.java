package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * One locked migration session on one connection: plans from the database's state and runs files,
 * each together with its version bump and audit row.
 */
final class MigrationRun {
  /** What {@link #plan} finds: the version, the applied files and the pending ones. */
  record Plan(VersionTable.State state, List<Migration> applied, List<Migration> pending) {}

  final Connection c;
  private final MigrationLock lock;
  private final MigrationLocation location;
  private final FailureReport.Timeouts timeouts;
  private final boolean allowChangedFiles;
  private final Consumer<MigrationStep> listener;

  MigrationRun(
      Connection c,
      MigrationLock lock,
      MigrationLocation location,
      FailureReport.Timeouts timeouts,
      boolean allowChangedFiles,
      Consumer<MigrationStep> listener) {
    this.c = c;
    this.lock = lock;
    this.location = location;
    this.timeouts = timeouts;
    this.allowChangedFiles = allowChangedFiles;
    this.listener = listener;
  }

  Plan plan(List<Migration> migrations) throws SQLException {
    VersionTable.State state = VersionTable.read(c);
    StatusReport report = new StatusReport(migrations, c, state);
    List<String> problems = report.problems(location, allowChangedFiles);
    if (!problems.isEmpty()) {
      throw StrataException.badInput(String.join("\n", problems), report.fix());
    }
    List<Migration> applied =
        migrations.stream().filter(m -> m.version() <= state.version()).toList();
    List<Migration> pending =
        migrations.stream().filter(m -> m.version() > state.version()).toList();
    return new Plan(state, applied, pending);
  }

  List<MigrationStep> applyUp(List<Migration> todo, VersionTable.State state) throws SQLException {
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
          execute(m, m.down().orElseThrow(), version, previous, AuditLog.Direction.down, "undone");
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
        throw FailureReport.of(file, script, statement, e, state, fix, timeouts);
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

  static List<Migration> newestFirst(List<Migration> migrations) {
    List<Migration> copy = new ArrayList<>(migrations);
    Collections.reverse(copy);
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
}
