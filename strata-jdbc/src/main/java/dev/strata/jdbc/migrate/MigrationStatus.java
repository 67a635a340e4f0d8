package dev.strata.jdbc.migrate;

import java.time.Instant;
import java.util.Optional;

/**
 * Where one migration stands against the database.
 *
 * @param version its version; 0 for a Flyway repeatable migration
 * @param name how the format names it ({@code 000001_users}, {@code V1__users}, {@code
 *     20260101000000_init}, {@code R__views})
 * @param fileChecksum the file's checksum as the format records it; empty when the file is missing
 * @param appliedChecksum the checksum recorded when it was applied; empty when not applied, or
 *     applied by a tool that keeps none (golang-migrate)
 * @param outsideStrata applied by the format's own tool (or another), not by Strata
 * @param repeatable a Flyway {@code R__} migration
 */
public record MigrationStatus(
    long version,
    String name,
    State state,
    Optional<Instant> appliedAt,
    Optional<String> appliedBy,
    Optional<String> fileChecksum,
    Optional<String> appliedChecksum,
    boolean hasDown,
    boolean outsideStrata,
    boolean repeatable) {

  /** What {@code strata migrate status} shows in its state column. */
  public enum State {
    /** Applied, and the file is as it was. */
    APPLIED,
    /** Not applied yet (a repeatable one: new or changed since it last ran). */
    PENDING,
    /** Applied, but the file changed since: {@code migrate repair} accepts it after review. */
    CHANGED,
    /**
     * Below the current version but never applied: the file arrived after newer migrations ran
     * (from a merged branch). {@code up} refuses until it gets a newer version.
     */
    SKIPPED,
    /** Applied, but its file is gone (and newer files exist). */
    MISSING,
    /**
     * Applied, newer than every file: the database is ahead of these files (an older release
     * running during a rollout). A warning, unless {@code --strict}.
     */
    AHEAD,
    /** The version a migration stopped part-way in: finish it by hand, then force. */
    DIRTY
  }
}
