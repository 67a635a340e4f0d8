package dev.strata.ops.postgres;

import dev.strata.core.StrataException;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** The machine's pg_dump: a compressed custom-format dump ({@code -Fc}) of one database. */
public final class PgDump {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private PgDump() {}

  /**
   * Dumps the database at {@code libpqUrl} (no password in it; {@code password} goes through the
   * environment) into {@code dir}, as {@code <db>-<UTC time>-before-migrate.dump}.
   *
   * @return the dump file, complete (a failed dump is deleted)
   * @throws StrataException when pg_dump fails, with its output
   */
  public static Path beforeMigration(
      Optional<String> binDir, Path dir, String database, String libpqUrl, String password) {
    Path pgDump = Binaries.postgresBinDir(binDir, Optional.empty(), false).resolve("pg_dump");
    Path file =
        dir.resolve(
            database
                + "-"
                + LocalDateTime.now(ZoneOffset.UTC).format(STAMP)
                + "-before-migrate.dump");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    Exec.Result result =
        Exec.of(pgDump.toString(), "-Fc", "-Z", "6", "-f", file.toString(), "-d", libpqUrl)
            .env("PGPASSWORD", password)
            .timeout(Duration.ofHours(2))
            .run();
    if (!result.ok()) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // The failure below is what matters.
      }
      throw StrataException.failed(
          "the backup before migrating failed, so nothing was migrated: "
              + result.describeFailure(),
          "fix what pg_dump says, or run without --backup",
          null);
    }
    return file;
  }
}
