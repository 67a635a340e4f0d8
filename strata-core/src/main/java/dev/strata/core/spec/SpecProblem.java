package dev.strata.core.spec;

/**
 * One thing wrong in strata.yaml: where, which key, what was found, and what is allowed.
 *
 * @param path the key path, e.g. {@code postgres.port}
 */
public record SpecProblem(Location location, String path, String problem) {

  @Override
  public String toString() {
    return location + ": " + path + ": " + problem;
  }
}
