package dev.strata.jdbc.migrate;

import dev.strata.jdbc.migrate.MigrationStatus.State;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Status of files against the database, and what blocks {@code up}. */
final class StatusReport {
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
   * Whether version {@code v}, at or below the current version, never ran: Strata applies in order,
   * so a version between the first one Strata applied and the current one that is not in the log
   * was added later, behind newer migrations (golang-migrate would skip it silently). Versions at
   * or below a forced version are taken as the user said.
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

  /** What to do about {@link #problems}, the most pressing first. */
  String fix() {
    if (state.dirty()) {
      return "put the database right by hand, then `strata migrate force VERSION`"
          + " (Migrator.force) with the version it is really at";
    }
    if (hasChanged()) {
      return "restore the file as it was applied and put the change in a new migration;"
          + " or accept the new content with --allow-changed";
    }
    if (hasSkipped()) {
      return "give the file a version above "
          + state.version()
          + " (`strata migrate create` picks one) so it runs next";
    }
    return "restore the missing files (from version control), or point migrations.dir at the"
        + " right folder";
  }
}
