package dev.strata.ops.tenancy;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a migration in golang-migrate's layout, {@code <version>_<title>.up.sql} and {@code
 * .down.sql}: the next version after the highest in the folder, zero-padded like the files already
 * there (6 digits in an empty folder).
 */
final class MigrationFiles {
  private static final Pattern VERSIONED = Pattern.compile("(\\d+)_.*\\.(up|down)\\.sql");
  private static final int DEFAULT_WIDTH = 6;

  private final Path dir;

  MigrationFiles(Path dir) {
    this.dir = dir;
  }

  /** The up and down files written. */
  record Written(Path up, Path down) {}

  /**
   * Writes {@code up} and {@code down} as the next migration, named {@code title}.
   *
   * @throws StrataException if the folder cannot be written
   */
  Written write(String title, String up, String down) {
    try {
      Files.createDirectories(dir);
      String version = nextVersion();
      Path upFile = dir.resolve(version + "_" + title + ".up.sql");
      Path downFile = dir.resolve(version + "_" + title + ".down.sql");
      Files.writeString(upFile, up);
      Files.writeString(downFile, down);
      return new Written(upFile, downFile);
    } catch (IOException | UncheckedIOException e) {
      throw StrataException.environment(
          "cannot write the migration in " + dir + ": " + e.getMessage(),
          "check that the folder is writable");
    }
  }

  String nextVersion() throws IOException {
    long max = 0;
    int width = DEFAULT_WIDTH;
    boolean any = false;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Matcher m = VERSIONED.matcher(f.getFileName().toString());
        if (m.matches()) {
          long v = Long.parseLong(m.group(1));
          if (!any || v > max) {
            max = v;
            width = m.group(1).length();
          }
          any = true;
        }
      }
    }
    String next = Long.toString(max + 1);
    return "0".repeat(Math.max(0, width - next.length())) + next;
  }
}
