package dev.strata.jdbc.migrate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The table a tool records applied migrations in, read and written as that tool does, so Strata and
 * the tool agree on what is applied: golang-migrate's {@code schema_migrations} (with Strata's
 * {@code strata_migrations_log} beside it), Flyway's {@code flyway_schema_history}, Prisma's {@code
 * _prisma_migrations}. Names are qualified with the schema the run started in, so a file that
 * changes {@code search_path} does not move them.
 */
abstract class Ledger {
  /** How an applied migration came to be recorded. */
  enum How {
    /** Strata ran it. */
    STRATA,
    /** The tool itself (golang-migrate, Flyway, Prisma) ran it, or recorded it as run. */
    OUTSIDE,
    /** Taken as applied: {@code migrate baseline} or {@code force}. */
    ADOPTED
  }

  /** One applied migration, as the table says. */
  record Entry(
      String name, Optional<String> checksum, Optional<Instant> at, Optional<String> by, How how) {}

  /**
   * What the table says.
   *
   * @param current the highest applied version; {@link VersionTable#NONE} when none
   * @param dirty the version a migration stopped part-way in
   * @param applied every applied version
   * @param neverRan versions at or below {@code current} that provably never ran (golang-migrate's
   *     single version cannot say, the log can)
   * @param repeatables Flyway: the checksum each repeatable migration last ran with, by name
   * @param unrecorded golang-migrate: versions applied outside Strata that its log does not list
   *     yet
   */
  record State(
      long current,
      OptionalLong dirty,
      Map<Long, Entry> applied,
      java.util.Set<Long> neverRan,
      Map<String, String> repeatables,
      List<Long> unrecorded) {}

  final String schema;

  Ledger(String schema) {
    this.schema = schema;
  }

  static Ledger of(FolderFormat format, String schema) {
    return switch (format) {
      case GOLANG_MIGRATE -> new GolangLedger(schema);
      case FLYWAY -> new FlywayLedger(schema);
      case PRISMA -> new PrismaLedger(schema);
    };
  }

  abstract FolderFormat format();

  /** The table's name, schema-qualified and quoted. */
  String qualified() {
    return ident(schema) + "." + ident(format().table());
  }

  /** For messages: {@code public.schema_migrations}. */
  String display() {
    return schema + "." + format().table();
  }

  abstract void create(Connection c) throws SQLException;

  abstract State read(Connection c, MigrationFolder files) throws SQLException;

  /** Whether {@code stored}, a checksum this table recorded, is {@code script}'s. */
  boolean matches(MigrationScript script, String stored) {
    return script.matches(stored);
  }

  /** The checksum this table records for {@code script}. */
  String checksumOf(MigrationScript script) {
    return script.checksum();
  }

  /** SQL that records {@code m} applied, run in the migration's own transaction. */
  abstract String appliedSql(Migration m, long durationMs, int statements);

  /** SQL that records {@code m} undone, the database now at {@code after}. */
  abstract String undoneSql(Migration m, MigrationScript down, long after, long durationMs);

  /** SQL that marks {@code m} as started before a no-transaction file runs (golang: dirty). */
  abstract String startedSql(Migration m, boolean up, long dirtyVersion);

  /**
   * SQL that records the end of a no-transaction file that started with {@link #startedSql}: done
   * ({@code error} null), or failed after {@code statements} statements.
   */
  abstract String finishedSql(
      Migration m, boolean up, long after, long durationMs, int statements, String error);

  /** SQL that records a repeatable migration run (Flyway only). */
  String repeatableSql(Migration m, long durationMs) {
    throw new UnsupportedOperationException(format() + " has no repeatable migrations");
  }

  /**
   * SQL that makes the table say the database is at {@code version}, clean, running nothing: {@code
   * migrate force}.
   */
  abstract String forceSql(long version, State state, MigrationFolder files);

  /** SQL that adopts a database at {@code version}: files up to it count as applied. */
  abstract String baselineSql(long version, MigrationFolder files);

  /** SQL that records the files' current checksums for {@code changed}: {@code migrate repair}. */
  abstract String repairSql(List<Migration> changed);

  /** SQL that writes down what {@link State#unrecorded} found (golang-migrate); may be empty. */
  String adoptSql(State state, MigrationFolder files) {
    return "";
  }

  static boolean exists(Connection c, String schema, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT to_regclass("
                    + literal(ident(schema) + "." + ident(table))
                    + ") IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  static String literal(String text) {
    return text == null ? "NULL" : "'" + text.replace("'", "''") + "'";
  }

  static Optional<Instant> instant(java.sql.Timestamp t) {
    return Optional.ofNullable(t).map(java.sql.Timestamp::toInstant);
  }
}
