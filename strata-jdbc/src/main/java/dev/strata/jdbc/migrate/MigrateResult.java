package dev.strata.jdbc.migrate;

import java.time.Duration;
import java.util.List;

/**
 * What a run of {@link Migrator#up()}, {@link Migrator#down(int)} or {@link Migrator#goTo(long)}
 * did, like Flyway's {@code MigrateResult}.
 *
 * @param format the folder's format (and so the table that records it)
 * @param before the database's version when the run took the lock
 * @param after the database's version when it finished
 * @param steps each file applied or undone, in order, with its time
 * @param warnings what did not stop the run but should be looked at (a database ahead of the files)
 * @param duration the whole run, lock and bookkeeping included
 */
public record MigrateResult(
    FolderFormat format,
    DatabaseVersion before,
    DatabaseVersion after,
    List<MigrationStep> steps,
    List<String> warnings,
    Duration duration) {

  /** How many files ran (Flyway's {@code migrationsExecuted}). */
  public int migrationsExecuted() {
    return steps.size();
  }
}
