package dev.strata.jdbc.migrate;

import java.util.List;

/**
 * The migrations of a location, in the format its file names say.
 *
 * @param migrations the versioned migrations, ordered by version
 * @param repeatables Flyway {@code R__} migrations, ordered by name (empty in other formats)
 */
public record MigrationFolder(
    FolderFormat format, List<Migration> migrations, List<Migration> repeatables) {}
