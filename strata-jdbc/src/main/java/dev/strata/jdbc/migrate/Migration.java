package dev.strata.jdbc.migrate;

import java.util.Optional;

/**
 * One migration: its up file and, when there is one, its down file.
 *
 * @param version the number it is ordered by (golang-migrate's and Flyway's version, Prisma's
 *     timestamp); 0 for a Flyway repeatable migration
 * @param name how the format names it: {@code 000001_users}, {@code V1__users}, {@code
 *     20260101000000_init}, {@code R__views}
 * @param title the part of the name after the version
 * @param repeatable a Flyway {@code R__} migration: runs again whenever its checksum changes
 */
public record Migration(
    long version,
    String name,
    String title,
    MigrationScript up,
    Optional<MigrationScript> down,
    boolean repeatable) {

  /** A golang-migrate pair, named after its up file. */
  public Migration(long version, String title, MigrationScript up, Optional<MigrationScript> down) {
    this(
        version,
        up.fileName().substring(0, up.fileName().length() - ".up.sql".length()),
        title,
        up,
        down,
        false);
  }
}
