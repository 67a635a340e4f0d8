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
 */
public record MigrationsSpec(String dir, Duration lockTimeout, Duration statementTimeout) {

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

  public static final Section<MigrationsSpec> SECTION =
      new Section<>(
          "migrations",
          "Schema migrations (strata migrate)",
          List.of(DIR, LOCK_TIMEOUT, STATEMENT_TIMEOUT),
          v -> new MigrationsSpec(v.get(DIR), v.get(LOCK_TIMEOUT), v.get(STATEMENT_TIMEOUT)));
}
