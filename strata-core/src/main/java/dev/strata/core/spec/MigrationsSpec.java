package dev.strata.core.spec;

import java.time.Duration;
import java.util.List;

/**
 * The {@code migrations} section: where the migration files are and the limits migration sessions
 * run under.
 *
 * @param dir the folder of {@code {version}_{title}.up.sql} / {@code .down.sql} files, relative to
 *     strata.yaml
 * @param lockTimeout PostgreSQL's {@code lock_timeout} for migration sessions; zero means none
 * @param statementTimeout PostgreSQL's {@code statement_timeout} for migration sessions; zero means
 *     none
 * @param seed SQL files (relative to strata.yaml) that {@code strata reset} runs, in order, after
 *     the migrations on the database it just recreated: development data, never for production
 */
public record MigrationsSpec(
    String dir, Duration lockTimeout, Duration statementTimeout, List<String> seed) {

  /** The three settings the migrator reads, with no seed files. */
  public MigrationsSpec(String dir, Duration lockTimeout, Duration statementTimeout) {
    this(dir, lockTimeout, statementTimeout, List.of());
  }

  public static final Key<String> DIR =
      Key.of(
          "dir",
          Types.string("a folder, relative to strata.yaml or absolute"),
          "migrations",
          "Folder of the migration files ({version}_{title}.up.sql and .down.sql, as"
              + " golang-migrate names them).");
  public static final Key<Duration> LOCK_TIMEOUT =
      Key.of(
          "lock_timeout",
          Types.duration(),
          Duration.ofSeconds(10),
          "How long a migration statement waits for a table lock before it fails (instead of"
              + " queueing every query behind it); 0 waits forever.");
  public static final Key<Duration> STATEMENT_TIMEOUT =
      Key.of(
          "statement_timeout",
          Types.duration(),
          Duration.ofMinutes(15),
          "How long one migration statement may run before PostgreSQL cancels it; 0 means no"
              + " limit.");

  public static final Key<List<String>> SEED =
      Key.of(
          "seed",
          Types.listOf(Types.string("a file, relative to strata.yaml or absolute")),
          List.of(),
          "SQL files `strata reset` runs with psql, in order, after the migrations, on the"
              + " database it just dropped and recreated: development data (a development"
              + " convenience: nothing runs them in production).");

  public static final Section<MigrationsSpec> SECTION =
      new Section<>(
          "migrations",
          "Schema migrations (strata migrate)",
          List.of(DIR, LOCK_TIMEOUT, STATEMENT_TIMEOUT, SEED),
          v ->
              new MigrationsSpec(
                  v.get(DIR), v.get(LOCK_TIMEOUT), v.get(STATEMENT_TIMEOUT), v.get(SEED)));
}
