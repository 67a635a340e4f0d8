package dev.strata.redis.cache;

/**
 * Computes a value on a miss — typically a database query.
 *
 * @param <V> the value type
 */
@FunctionalInterface
public interface CacheLoader<V> {
  /**
   * The value, or {@code null} when there is none (nothing is cached then).
   *
   * @throws Exception anything; it reaches the caller of {@code get} and nothing is cached
   */
  V load() throws Exception;
}
