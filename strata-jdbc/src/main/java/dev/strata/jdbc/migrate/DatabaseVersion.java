package dev.strata.jdbc.migrate;

/**
 * The version {@code schema_migrations} holds.
 *
 * @param version the last migration applied; -1 when none is
 * @param dirty whether a migration stopped part-way at {@code version}
 */
public record DatabaseVersion(long version, boolean dirty) {
  /** Whether some migration is applied. */
  public boolean any() {
    return version >= 0;
  }

  @Override
  public String toString() {
    return (version < 0 ? "no version" : "version " + version) + (dirty ? " (dirty)" : "");
  }
}
