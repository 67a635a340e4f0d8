package dev.strata.jdbc.migrate;

import java.util.List;

/**
 * What {@link Migrator#up()} would run, without running it: every file, its transaction boundaries,
 * each statement with its line and the lock it takes where that is known.
 *
 * @param current the database's version now
 * @param files the files {@code up} would run, in order
 * @param warnings what {@code up} would warn about
 */
public record MigrationPlan(
    FolderFormat format, DatabaseVersion current, List<File> files, List<String> warnings) {

  /**
   * One file to run.
   *
   * @param path the file as the user knows it ({@code migrations/000003_orders.up.sql})
   * @param transaction whether it runs in one transaction (with its bookkeeping) or statement by
   *     statement
   */
  public record File(String path, long version, boolean transaction, List<Step> statements) {}

  /**
   * One statement.
   *
   * @param line where it starts in its file
   * @param lock the strongest table lock it takes, as PostgreSQL documents it ("ACCESS EXCLUSIVE on
   *     the table: blocks reads and writes"), or "unknown"
   */
  public record Step(int line, String sql, String lock) {}
}
