package dev.strata.spring.cache;

import dev.strata.redis.cache.StrataCache;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import org.springframework.cache.support.AbstractValueAdaptingCache;

/**
 * A Spring {@link org.springframework.cache.Cache} on a {@link StrataCache}: Redis with the near
 * cache, tags, TTL jitter and fail-open degradation of the Strata cache behind {@code @Cacheable},
 * {@code @CachePut} and {@code @CacheEvict}.
 *
 * <p>{@code @Cacheable(sync = true)} goes through {@link StrataCache#get}, so concurrent misses
 * load once per JVM — and once across every JVM when the cache was built with {@code loadLock},
 * which Spring's own caches cannot do.
 *
 * <p>Keys become strings with {@code toString()} ({@code String}s and Spring's {@code SimpleKey}
 * are stable). {@code null} is cached as Spring's {@code NullValue} when the manager allows it.
 */
public final class StrataSpringCache extends AbstractValueAdaptingCache {
  private final StrataCache<Object> cache;
  private final BiFunction<Object, Object, Collection<String>> tagger;

  /**
   * @param tagger the tags to cache a value with, from its key and value (never null)
   */
  StrataSpringCache(
      StrataCache<Object> cache,
      boolean allowNullValues,
      BiFunction<Object, Object, Collection<String>> tagger) {
    super(allowNullValues);
    this.cache = cache;
    this.tagger = tagger;
  }

  @Override
  public String getName() {
    return cache.name();
  }

  /** The Strata cache, for tags ({@link StrataCache#invalidateTag}) and tenant views. */
  @Override
  public StrataCache<Object> getNativeCache() {
    return cache;
  }

  @Override
  protected Object lookup(Object key) {
    return cache.getIfPresent(key(key)).orElse(null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(Object key, Callable<T> valueLoader) {
    Object stored =
        cache.get(
            key(key),
            List.of(),
            () -> {
              Object loaded;
              try {
                loaded = valueLoader.call();
              } catch (Exception e) {
                throw new ValueRetrievalException(key, valueLoader, e);
              }
              return toStoreValue(loaded);
            });
    return (T) fromStoreValue(stored);
  }

  @Override
  public void put(Object key, Object value) {
    Object stored = toStoreValue(value);
    cache.put(key(key), stored, tagger.apply(key, value).toArray(String[]::new));
  }

  @Override
  public void evict(Object key) {
    cache.invalidate(key(key));
  }

  @Override
  public boolean evictIfPresent(Object key) {
    return cache.invalidate(key(key));
  }

  /** Removes every entry cached with {@code tag}; see {@link StrataCache#invalidateTag}. */
  public long evictTag(String tag) {
    return cache.invalidateTag(tag);
  }

  @Override
  public void clear() {
    cache.invalidateMatching("*");
  }

  @Override
  public boolean invalidate() {
    return cache.invalidateMatching("*") > 0;
  }

  private static String key(Object key) {
    return Objects.requireNonNull(key, "cache key must not be null").toString();
  }
}
