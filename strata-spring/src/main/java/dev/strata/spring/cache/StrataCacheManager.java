package dev.strata.spring.cache;

import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * Spring's {@link CacheManager} on Strata's cache. Every cache name used in {@code @Cacheable} gets
 * a {@link StrataCache} (created on first use unless the manager is {@linkplain
 * Builder#fixedNames() fixed}); {@link Builder#cache} tunes one by name — TTL, near cache, load
 * lock, early refresh, fail mode — and {@link Builder#tags} says which tags a cached value gets.
 *
 * <pre>{@code
 * @Bean
 * CacheManager cacheManager(StrataRedis redis) {
 *   return StrataCacheManager.builder(redis)
 *       .defaults(b -> b.ttl(Duration.ofMinutes(10)))
 *       .cache("products", b -> b.nearCache(10_000, Duration.ofMinutes(1)).loadLock(Duration.ofSeconds(5)))
 *       .tags("products", (key, product) -> Set.of("category:" + ((Product) product).category()))
 *       .build();
 * }
 * }</pre>
 */
public final class StrataCacheManager implements CacheManager, DisposableBean {
  private final StrataRedis redis;
  private final CacheCodec<Object> codec;
  private final boolean allowNullValues;
  private final boolean dynamic;
  private final UnaryOperator<StrataCache.Builder<Object>> defaults;
  private final Map<String, UnaryOperator<StrataCache.Builder<Object>>> perCache;
  private final Map<String, BiFunction<Object, Object, Collection<String>>> taggers;
  private final ConcurrentHashMap<String, StrataSpringCache> caches = new ConcurrentHashMap<>();

  private StrataCacheManager(Builder b) {
    this.redis = b.redis;
    this.codec = b.codec;
    this.allowNullValues = b.allowNullValues;
    this.dynamic = b.dynamic;
    this.defaults = b.defaults;
    this.perCache = Map.copyOf(b.perCache);
    this.taggers = Map.copyOf(b.taggers);
    perCache.keySet().forEach(this::getCache);
  }

  /** Starts a manager on {@code redis}. */
  public static Builder builder(StrataRedis redis) {
    return new Builder(redis);
  }

  @Override
  public Cache getCache(String name) {
    StrataSpringCache cache = caches.get(name);
    if (cache != null || (!dynamic && !perCache.containsKey(name))) {
      return cache;
    }
    return caches.computeIfAbsent(name, this::create);
  }

  private StrataSpringCache create(String name) {
    StrataCache.Builder<Object> builder = defaults.apply(StrataCache.builder(redis, name, codec));
    builder = perCache.getOrDefault(name, UnaryOperator.identity()).apply(builder);
    return new StrataSpringCache(
        builder.build(), allowNullValues, taggers.getOrDefault(name, (k, v) -> List.of()));
  }

  @Override
  public Collection<String> getCacheNames() {
    Set<String> names = new LinkedHashSet<>(perCache.keySet());
    names.addAll(caches.keySet());
    return List.copyOf(names);
  }

  /** Closes the caches' near-cache connections; the {@link StrataRedis} stays open. */
  @Override
  public void destroy() {
    caches.values().forEach(c -> c.getNativeCache().close());
  }

  /** Options of a manager; every one has a default. */
  public static final class Builder {
    private final StrataRedis redis;
    private CacheCodec<Object> codec = new JavaSerializationCodec();
    private boolean allowNullValues = true;
    private boolean dynamic = true;
    private UnaryOperator<StrataCache.Builder<Object>> defaults = UnaryOperator.identity();
    private final Map<String, UnaryOperator<StrataCache.Builder<Object>>> perCache =
        new HashMap<>();
    private final Map<String, BiFunction<Object, Object, Collection<String>>> taggers =
        new HashMap<>();

    private Builder(StrataRedis redis) {
      this.redis = Objects.requireNonNull(redis, "redis must not be null");
    }

    /** How values are stored. Default: Java serialization ({@link JavaSerializationCodec}). */
    public Builder codec(CacheCodec<Object> codec) {
      this.codec = Objects.requireNonNull(codec, "codec must not be null");
      return this;
    }

    /** Options every cache starts from (before its own {@link #cache}). */
    public Builder defaults(UnaryOperator<StrataCache.Builder<Object>> options) {
      this.defaults = Objects.requireNonNull(options, "options must not be null");
      return this;
    }

    /** Declares the cache {@code name} with its own options. */
    public Builder cache(String name, UnaryOperator<StrataCache.Builder<Object>> options) {
      perCache.put(
          Objects.requireNonNull(name, "name must not be null"),
          Objects.requireNonNull(options, "options must not be null"));
      return this;
    }

    /** The tags a value put in cache {@code name} gets, from its key and value. */
    public Builder tags(String name, BiFunction<Object, Object, Collection<String>> tagger) {
      taggers.put(
          Objects.requireNonNull(name, "name must not be null"),
          Objects.requireNonNull(tagger, "tagger must not be null"));
      return this;
    }

    /** Whether {@code null} results are cached (as Spring's NullValue). Default true. */
    public Builder allowNullValues(boolean allow) {
      this.allowNullValues = allow;
      return this;
    }

    /**
     * Only the caches declared with {@link #cache} exist; an unknown name in an annotation fails
     * instead of creating a cache. Default: any name creates a cache with the defaults.
     */
    public Builder fixedNames() {
      this.dynamic = false;
      return this;
    }

    /** The manager; declared caches are built (and their near caches connected) now. */
    public StrataCacheManager build() {
      return new StrataCacheManager(this);
    }
  }
}
