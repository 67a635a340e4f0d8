package dev.strata.redis.cache;

/** A loader threw a checked exception; it is the {@link #getCause() cause}. */
public final class CacheLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CacheLoadException(String key, Throwable cause) {
    super("loading cache key '" + key + "' failed: " + cause, cause);
  }
}
