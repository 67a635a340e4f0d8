package dev.strata.jdbc.migrate;

import java.time.Duration;

/**
 * One file a run applied or undone.
 *
 * @param up whether the up file ran (otherwise the down file)
 * @param versionAfter the database's version once it ran; -1 for none
 */
public record MigrationStep(
    long version, String fileName, boolean up, long versionAfter, Duration duration) {}
