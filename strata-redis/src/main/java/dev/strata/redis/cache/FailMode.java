package dev.strata.redis.cache;

/** What a cache does while Redis does not answer. */
public enum FailMode {
  /**
   * Serve from the loader, without caching: the application keeps working, slower, and its database
   * takes the load.
   */
  OPEN,
  /**
   * Throw a {@link dev.strata.core.StrataException} ({@code ENVIRONMENT}): for caches that protect
   * a backend that cannot take the full load.
   */
  CLOSED
}
