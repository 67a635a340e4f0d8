package dev.strata.redis.cache;

/**
 * A loader threw a checked exception (it is the {@link #getCause() cause}), or a caller waited
 * longer than the cache's load wait timeout for another caller's load of the same key.
 */
public final class CacheLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CacheLoadException(String key, Throwable cause) {
    super("loading cache key '" + key + "' failed: " + cause, cause);
  }

  CacheLoadException(String message) {
    super(message);
  }
}
