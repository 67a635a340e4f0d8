package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * One locked migration session on one connection: plans from what the folder's table says and runs
 * files, each together with its bookkeeping.
 */
final class MigrationRun {
  /** What is applied and what is pending, once nothing stands in the way. */
  record Plan(
      Ledger.State state,
      StatusReport report,
      List<Migration> applied,
      List<Migration> pending,
      List<Migration> repeatables) {
    DatabaseVersion version() {
      return new DatabaseVersion(state.current(), state.dirty().isPresent());
    }
  }

  private static final Pattern CONCURRENTLY =
      Pattern.compile("(?is)^(create|drop|reindex|alter)\\b.*\\bconcurrently\\b.*");

  final Connection c;
  final Ledger ledger;
  final MigrationFolder folder;
  private final MigrationLock lock;
  private final String where;
  private final FailureReport.Timeouts timeouts;
  private final boolean strict;
  private final Consumer<MigrationStep> listener;
  private final String sessionReset;

  MigrationRun(
      Connection c,
      MigrationLock lock,
      Ledger ledger,
      MigrationFolder folder,
      String where,
      FailureReport.Timeouts timeouts,
      boolean strict,
      Consumer<MigrationStep> listener,
      String sessionReset) {
    this.c = c;
    this.lock = lock;
    this.ledger = ledger;
    this.folder = folder;
    this.where = where;
    this.timeouts = timeouts;
    this.strict = strict;
    this.listener = listener;
    this.sessionReset = sessionReset;
  }

  /** Reads the table, records versions applied outside Strata, and refuses what blocks a run. */
  Plan plan() throws SQLException {
    Ledger.State state = ledger.read(c, folder);
    String adopt = ledger.adoptSql(state, folder);
    if (!adopt.isEmpty()) {
      transaction(adopt);
    }
    return plan(state, folder, ledger, where, strict);
  }

  static Plan plan(
      Ledger.State state, MigrationFolder folder, Ledger ledger, String where, boolean strict) {
    StatusReport report = new StatusReport(folder, ledger, state, where);
    List<String> problems = report.problems(strict);
    if (!problems.isEmpty()) {
      throw StrataException.badInput(String.join("\n", problems), report.fix(strict));
    }
    List<Migration> applied =
        folder.migrations().stream().filter(m -> state.applied().containsKey(m.version())).toList();
    List<Migration> pending =
        folder.migrations().stream()
            .filter(m -> !state.applied().containsKey(m.version()))
            .toList();
    return new Plan(state, report, applied, pending, report.pendingRepeatables());
  }

  List<MigrationStep> applyUp(List<Migration> todo, Plan plan, boolean repeatables)
      throws SQLException {
    List<MigrationStep> steps = new ArrayList<>();
    long version = plan.state().current();
    for (Migration m : todo) {
      MigrationStep step = execute(m, m.up(), true, version, m.version());
      steps.add(step);
      listener.accept(step);
      version = m.version();
    }
    if (repeatables) {
      for (Migration r : plan.repeatables()) {
        MigrationStep step = execute(r, r.up(), true, version, version);
        steps.add(step);
        listener.accept(step);
      }
    }
    return steps;
  }

  List<MigrationStep> applyDown(List<Migration> todo, Plan plan) throws SQLException {
    List<String> missing =
        todo.stream().filter(m -> m.down().isEmpty()).map(m -> where + "/" + downName(m)).toList();
    if (!missing.isEmpty()) {
      throw StrataException.badInput(
          "cannot undo: no down file "
              + String.join(", ", missing)
              + "; nothing was changed (still at "
              + plan.version()
              + ")",
          "write the down file, or undo the change in a new up migration");
    }
    List<MigrationStep> steps = new ArrayList<>();
    long version = plan.state().current();
    List<Migration> applied = plan.applied();
    for (Migration m : todo) {
      int index = applied.indexOf(m);
      long previous = index <= 0 ? GolangLedger.NONE : applied.get(index - 1).version();
      MigrationStep step = execute(m, m.down().orElseThrow(), false, version, previous);
      steps.add(step);
      listener.accept(step);
      version = previous;
    }
    return steps;
  }

  private String downName(Migration m) {
    return switch (folder.format()) {
      case GOLANG_MIGRATE -> m.name() + ".down.sql";
      case FLYWAY -> "U" + m.version() + "__" + m.title() + ".sql";
      case PRISMA -> m.name() + "/down.sql";
    };
  }

  private MigrationStep execute(
      Migration m, MigrationScript script, boolean up, long before, long after)
      throws SQLException {
    lock.checkHeldBySession(c);
    String file = where + "/" + script.fileName();
    long start = System.nanoTime();
    int total = script.statements().size();
    if (script.noTransaction() && !m.repeatable()) {
      long dirtyAt = up ? m.version() : after;
      transaction(ledger.startedSql(m, up, dirtyAt));
      int ran = 0;
      try {
        for (SqlStatements.Statement statement : script.statements()) {
          run(statement, true);
          ran++;
        }
      } catch (SQLException e) {
        String state = noTransactionState(script, ran, dirtyAt);
        if (!broken(e)) {
          String record = ledger.finishedSql(m, up, after, elapsed(start), ran, e.getMessage());
          if (!record.isEmpty()) {
            transaction(record);
          }
        }
        throw FailureReport.of(
            file,
            script,
            script.statements().get(ran),
            e,
            state,
            "finish or undo the rest of "
                + script.fileName()
                + " by hand, then `strata migrate force "
                + dirtyAt
                + "` if it is now complete, or `strata migrate force "
                + (up ? before : m.version())
                + "` if you undid it",
            timeouts);
      }
      long ms = elapsed(start);
      // With the bookkeeping, in the same round trip: what the file SET does not reach the next.
      transaction(ledger.finishedSql(m, up, after, ms, total, null) + ";\n" + sessionReset);
      return new MigrationStep(m.version(), script.fileName(), up, after, Duration.ofMillis(ms));
    }
    c.setAutoCommit(false);
    try {
      for (SqlStatements.Statement statement : script.statements()) {
        try {
          run(statement, false);
        } catch (SQLException e) {
          throw FailureReport.of(
              file,
              script,
              statement,
              e,
              "The migration was rolled back: the database is still at "
                  + new DatabaseVersion(before, false)
                  + " and not dirty.",
              "correct " + script.fileName() + " and run it again",
              timeouts);
        }
      }
      long ms = elapsed(start);
      String record =
          m.repeatable()
              ? ledger.repeatableSql(m, ms)
              : up ? ledger.appliedSql(m, ms, total) : ledger.undoneSql(m, script, after, ms);
      try (Statement s = c.createStatement()) {
        // With the bookkeeping, in the same round trip: what the file SET does not reach the next.
        s.execute(record + ";\n" + sessionReset);
      }
      c.commit();
      return new MigrationStep(m.version(), script.fileName(), up, after, Duration.ofMillis(ms));
    } catch (RuntimeException | SQLException e) {
      if (!c.isClosed()) {
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
      }
      throw e;
    } finally {
      if (!c.isClosed()) {
        try {
          c.setAutoCommit(true);
        } catch (SQLException ignored) {
          // the connection broke; the failure already on its way says so
        }
      }
    }
  }

  /** What a no-transaction file that failed at statement {@code ran} left behind, truthfully. */
  private String noTransactionState(MigrationScript script, int ran, long dirtyAt) {
    List<SqlStatements.Statement> all = script.statements();
    String ranText;
    if (ran == 0) {
      ranText = "no statement before it ran";
    } else {
      int from = line(script, all.get(0));
      int to = line(script, all.get(ran - 1));
      ranText =
          (ran == 1 ? "statement 1" : "statements 1-" + ran)
              + " of "
              + all.size()
              + (from == to ? " (line " + from + ")" : " (lines " + from + "-" + to + ")")
              + (ran == 1 ? " ran and stays applied" : " ran and stay applied");
    }
    int left = all.size() - ran - 1;
    return "This file runs outside a transaction: "
        + ranText
        + "; statement "
        + (ran + 1)
        + " (line "
        + line(script, all.get(ran))
        + ") failed"
        + (left == 0 ? "" : "; " + left + " after it did not run")
        + ". "
        + ledger.display()
        + " marks version "
        + dirtyAt
        + " dirty (failed), and nothing runs until that is resolved.";
  }

  private static int line(MigrationScript script, SqlStatements.Statement s) {
    return SqlStatements.lineOf(script.sql(), s.offset());
  }

  private void run(SqlStatements.Statement statement, boolean noTransaction) throws SQLException {
    // CREATE INDEX CONCURRENTLY waits for every older snapshot: lock_timeout would fail it for a
    // wait that blocks nobody (it takes SHARE UPDATE EXCLUSIVE), so it runs without one.
    boolean concurrent =
        noTransaction
            && !timeouts.lock().isZero()
            && CONCURRENTLY.matcher(statement.sql()).matches();
    try (Statement s = c.createStatement()) {
      s.setEscapeProcessing(false);
      if (concurrent) {
        s.execute("SET lock_timeout = 0");
      }
      try {
        if (statement.copyData() != null) {
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(statement.sql(), new StringReader(statement.copyData()));
        } else {
          s.execute(statement.sql());
        }
      } catch (IOException e) {
        throw new SQLException("cannot send the COPY data: " + e.getMessage(), "08006", e);
      } finally {
        if (concurrent && !c.isClosed()) {
          try (Statement r = c.createStatement()) {
            r.execute("SET lock_timeout = " + timeouts.lock().toMillis());
          } catch (SQLException ignored) {
            // the connection broke; the statement's own failure says so
          }
        }
      }
    }
  }

  private static boolean broken(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.equals("57P01"));
  }

  void transaction(String sql) throws SQLException {
    if (sql.isEmpty()) {
      return;
    }
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

  private static long elapsed(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
