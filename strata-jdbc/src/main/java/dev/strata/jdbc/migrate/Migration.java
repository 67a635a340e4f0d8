package dev.strata.jdbc.migrate;

import java.util.Optional;

/**
 * One version: its up file and, when there is one, its down file.
 *
 * @param title the part of the file name between the version and {@code .up.sql}
 */
public record Migration(
    long version, String title, MigrationScript up, Optional<MigrationScript> down) {

  /** {@code {version}_{title}}, as the files are named without their suffix. */
  public String name() {
    return up.fileName().substring(0, up.fileName().length() - ".up.sql".length());
  }
}
