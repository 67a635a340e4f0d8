package dev.strata.jdbc.migrate;

import dev.strata.jdbc.migrate.MigrationStatus.State;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Status of files against the database, what blocks {@code up} and what only warns. */
final class StatusReport {
  private final MigrationFolder folder;
  private final Ledger ledger;
  private final Ledger.State state;
  private final String where;
  private final List<MigrationStatus> rows;

  StatusReport(MigrationFolder folder, Ledger ledger, Ledger.State state, String where) {
    this.folder = folder;
    this.ledger = ledger;
    this.state = state;
    this.where = where;
    this.rows = computeRows();
  }

  List<MigrationStatus> rows() {
    return rows;
  }

  private long newestFile() {
    List<Migration> ms = folder.migrations();
    return ms.isEmpty() ? GolangLedger.NONE : ms.get(ms.size() - 1).version();
  }

  private List<MigrationStatus> computeRows() {
    List<MigrationStatus> out = new ArrayList<>();
    TreeSet<Long> versions = new TreeSet<>(state.applied().keySet());
    folder.migrations().forEach(m -> versions.add(m.version()));
    for (long v : versions) {
      Optional<Migration> file =
          folder.migrations().stream().filter(m -> m.version() == v).findFirst();
      Optional<Ledger.Entry> applied = Optional.ofNullable(state.applied().get(v));
      State s;
      if (state.dirty().isPresent() && state.dirty().getAsLong() == v) {
        s = State.DIRTY;
      } else if (file.isEmpty()) {
        s = v > newestFile() ? State.AHEAD : State.MISSING;
      } else if (applied.isEmpty()) {
        s = state.neverRan().contains(v) ? State.SKIPPED : State.PENDING;
      } else if (applied.get().checksum().isPresent()
          && !ledger.matches(file.get().up(), applied.get().checksum().get())) {
        s = State.CHANGED;
      } else {
        s = State.APPLIED;
      }
      out.add(
          new MigrationStatus(
              v,
              file.map(Migration::name).orElse(applied.map(Ledger.Entry::name).orElse("" + v)),
              s,
              applied.flatMap(Ledger.Entry::at),
              applied.flatMap(Ledger.Entry::by),
              file.map(m -> ledger.checksumOf(m.up())),
              applied.flatMap(Ledger.Entry::checksum),
              file.map(m -> m.down().isPresent()).orElse(false),
              applied.map(e -> e.how() == Ledger.How.OUTSIDE).orElse(false),
              false));
    }
    for (Migration r : folder.repeatables()) {
      String last = state.repeatables().get(r.name());
      boolean current = last != null && ledger.matches(r.up(), last);
      out.add(
          new MigrationStatus(
              0,
              r.name(),
              current ? State.APPLIED : State.PENDING,
              Optional.empty(),
              Optional.empty(),
              Optional.of(ledger.checksumOf(r.up())),
              Optional.ofNullable(last),
              false,
              false,
              true));
    }
    return out;
  }

  /** Repeatable migrations new or changed since they last ran, in name order. */
  List<Migration> pendingRepeatables() {
    List<Migration> out = new ArrayList<>();
    for (Migration r : folder.repeatables()) {
      String last = state.repeatables().get(r.name());
      if (last == null || !ledger.matches(r.up(), last)) {
        out.add(r);
      }
    }
    return out;
  }

  List<Migration> changed() {
    List<Migration> out = new ArrayList<>();
    for (MigrationStatus r : rows) {
      if (r.state() == State.CHANGED) {
        folder.migrations().stream()
            .filter(m -> m.version() == r.version())
            .findFirst()
            .ifPresent(out::add);
      }
    }
    return out;
  }

  private boolean has(State s) {
    return rows.stream().anyMatch(r -> r.state() == s);
  }

  /** What stops {@code up} and {@code down}. */
  List<String> problems(boolean strict) {
    List<String> problems = new ArrayList<>();
    if (state.dirty().isPresent()) {
      problems.add(
          "the database is dirty at version "
              + state.dirty().getAsLong()
              + ": a no-transaction migration (or "
              + ledger.format().tool()
              + ") stopped part-way, and nothing runs until that is resolved");
    }
    for (MigrationStatus row : rows) {
      switch (row.state()) {
        case CHANGED ->
            problems.add(
                where
                    + "/"
                    + fileOf(row)
                    + " changed since it was applied: applied with checksum "
                    + row.appliedChecksum().orElse("?")
                    + ", the file now has "
                    + row.fileChecksum().orElse("?"));
        case SKIPPED ->
            problems.add(
                where
                    + "/"
                    + fileOf(row)
                    + " was never applied: its version "
                    + row.version()
                    + " is below the database's version "
                    + state.current()
                    + ", so it arrived after newer migrations ran");
        case MISSING ->
            problems.add(
                "version "
                    + row.version()
                    + " ("
                    + row.name()
                    + ") is applied to the database but has no file in "
                    + where);
        case AHEAD -> {
          if (strict) {
            problems.add(ahead(row));
          }
        }
        default -> {}
      }
    }
    return problems;
  }

  /** What {@code up} reports and goes on: the database ahead of the files (unless strict). */
  List<String> warnings(boolean strict) {
    List<String> warnings = new ArrayList<>();
    if (!strict) {
      rows.stream().filter(r -> r.state() == State.AHEAD).map(this::ahead).forEach(warnings::add);
    }
    return warnings;
  }

  private String ahead(MigrationStatus row) {
    return "the database has version "
        + row.version()
        + " ("
        + row.name()
        + ") applied, newer than every file in "
        + where
        + (newestFile() < 0 ? "" : " (the newest is version " + newestFile() + ")")
        + ": it is ahead of these files, as when an older release runs during a rollout;"
        + " nothing of it is undone";
  }

  private String fileOf(MigrationStatus row) {
    return folder.migrations().stream()
        .filter(m -> m.version() == row.version())
        .map(m -> m.up().fileName())
        .findFirst()
        .orElse(row.name());
  }

  /** What to do about {@link #problems}, the most pressing first. */
  String fix(boolean strict) {
    if (state.dirty().isPresent()) {
      return "put the database right by hand, then `strata migrate force VERSION`"
          + " (Migrator.force) with the version it is really at";
    }
    if (has(State.CHANGED)) {
      return "restore the file as it was applied and put the change in a new migration; or,"
          + " once you have reviewed the change, accept it with `strata migrate repair`";
    }
    if (has(State.SKIPPED)) {
      return "give the file a version above "
          + state.current()
          + " (`strata migrate create NAME` picks one) so it runs next";
    }
    if (has(State.MISSING)) {
      return "restore the missing files (from version control), or point migrations.dir at the"
          + " right folder";
    }
    return "deploy the newer migration files, or leave out --strict to go on with a warning";
  }

  /**
   * Indexes of {@code schema} left INVALID, as a failed {@code CREATE INDEX CONCURRENTLY} leaves
   * them (or one being built right now), each with the fix.
   */
  static List<String> invalidIndexes(Connection c, String schema) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT i.relname, t.relname FROM pg_index x JOIN pg_class i ON i.oid ="
                    + " x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON"
                    + " n.oid = i.relnamespace WHERE NOT x.indisvalid AND n.nspname = "
                    + Ledger.literal(schema)
                    + " ORDER BY 1")) {
      while (rs.next()) {
        out.add(
            "index "
                + rs.getString(1)
                + " on "
                + rs.getString(2)
                + " is INVALID: a CREATE INDEX CONCURRENTLY failed (or is running now); queries"
                + " do not use it but writes still maintain it. Fix: DROP INDEX CONCURRENTLY "
                + Ledger.ident(schema)
                + "."
                + Ledger.ident(rs.getString(1))
                + "; then run the migration again");
      }
    }
    return out;
  }
}
