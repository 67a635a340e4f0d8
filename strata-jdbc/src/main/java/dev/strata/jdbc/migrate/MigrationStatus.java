package dev.strata.jdbc.migrate;

import java.time.Instant;
import java.util.Optional;

/**
 * Where one migration stands against the database.
 *
 * @param name {@code {version}_{title}}
 * @param fileChecksum SHA-256 of the up file; empty when the file is missing
 * @param appliedChecksum SHA-256 the file had when Strata applied it; empty when not applied, or
 *     applied by another tool (golang-migrate keeps no checksum)
 */
public record MigrationStatus(
    long version,
    String name,
    State state,
    Optional<Instant> appliedAt,
    Optional<String> appliedBy,
    Optional<String> fileChecksum,
    Optional<String> appliedChecksum,
    boolean hasDown) {

  /** What {@code strata migrate status} shows in its state column. */
  public enum State {
    /** Applied, and the file is as it was. */
    APPLIED,
    /** Not applied yet. */
    PENDING,
    /** Applied, but the file changed since. */
    CHANGED,
    /**
     * Below the current version but never applied: the file arrived after newer migrations ran
     * (from a merged branch). {@code up} refuses until it gets a newer version.
     */
    SKIPPED,
    /** Applied, but its file is gone. */
    MISSING,
    /** The version a no-transaction migration stopped in: finish it by hand, then force. */
    DIRTY
  }
}
