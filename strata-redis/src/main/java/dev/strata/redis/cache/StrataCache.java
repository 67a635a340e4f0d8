package dev.strata.redis.cache;

import dev.strata.core.StrataException;
import dev.strata.core.tenant.TenantContext;
import dev.strata.redis.cache.Envelope.Held;
import dev.strata.redis.connect.StrataRedis;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A cache-aside cache in Redis, optionally with an in-process near cache in front of it.
 *
 * <pre>{@code
 * StrataCache<Product> products =
 *     StrataCache.builder(redis, "products", CacheCodec.json(Product.class))
 *         .ttl(Duration.ofMinutes(10))
 *         .nearCache(10_000, Duration.ofMinutes(1))
 *         .build();
 * Product p = products.forTenant(TenantContext.tenant("acme"))
 *     .get("42", Set.of("category:7"), () -> repository.find(42));
 * }</pre>
 *
 * <p>Concurrent misses of one key in this JVM run the loader once (single flight); with {@link
 * Builder#loadLock(Duration)}, once across every JVM sharing the Redis. A loader's exception
 * reaches the caller and nothing is cached; a {@code null} from the loader is returned and not
 * cached.
 *
 * <p>While Redis does not answer, reads follow the {@link FailMode}; {@link #put} is skipped in
 * {@link FailMode#OPEN}, while invalidations always throw, since a lost invalidation would leave
 * stale data behind once Redis is back.
 *
 * <p>Thread-safe. A tenant view from {@link #forTenant} shares this cache's connections, near cache
 * and meters; closing any view closes the cache.
 *
 * @param <V> the value type
 */
public final class StrataCache<V> implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final CacheEngine<V> engine;
  private final CacheKeys keys;

  private StrataCache(CacheEngine<V> engine, CacheKeys keys) {
    this.engine = engine;
    this.keys = keys;
  }

  /**
   * Starts building a cache.
   *
   * @param name letters, digits, {@code _ . -}; part of every key and of the meters' {@code cache}
   *     tag
   */
  public static <V> Builder<V> builder(StrataRedis redis, String name, CacheCodec<V> codec) {
    return new Builder<>(redis, name, codec);
  }

  /**
   * This cache as seen by one tenant: its keys live in the tenant's own namespace, so no tenant can
   * read, overwrite or invalidate another's entries. {@link TenantContext#admin()} sees the shared
   * namespace (the one of the unscoped cache).
   *
   * @throws IllegalArgumentException for {@link TenantContext#none()}
   */
  public StrataCache<V> forTenant(TenantContext tenant) {
    Objects.requireNonNull(tenant, "tenant must not be null");
    return new StrataCache<>(engine, CacheKeys.of(engine.name, tenant));
  }

  /**
   * The cached value of {@code key}, or the loader's value, cached for next time.
   *
   * @throws CacheLoadException if the loader threw a checked exception (runtime exceptions and
   *     errors arrive as they are)
   * @throws StrataException if Redis does not answer and the cache fails closed
   */
  public V get(String key, CacheLoader<V> loader) {
    return get(key, List.of(), loader);
  }

  /** Like {@link #get(String, CacheLoader)}; a loaded value is cached with {@code tags}. */
  public V get(String key, Collection<String> tags, CacheLoader<V> loader) {
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(tags, "tags must not be null");
    Objects.requireNonNull(loader, "loader must not be null");
    return engine.get(keys, key, tags, loader);
  }

  /**
   * The cached value of {@code key}, if any; never loads.
   *
   * @throws StrataException if Redis does not answer and the cache fails closed
   */
  public Optional<V> getIfPresent(String key) {
    Objects.requireNonNull(key, "key must not be null");
    try {
      Held<V> held = engine.near == null ? null : engine.near.get(keys.near(key));
      if (held == null) {
        engine.checkCallable();
        held = engine.readThrough(keys, key);
      }
      return held == null ? Optional.empty() : Optional.of(held.value());
    } catch (RedisException e) {
      engine.readFailed(e);
      if (engine.failModeOpen()) {
        return Optional.empty();
      }
      throw engine.unavailable(e);
    }
  }

  /**
   * Caches {@code value} under {@code key}, with {@code tags}, for the cache's TTL (with jitter).
   *
   * @throws StrataException if Redis does not answer and the cache fails closed
   */
  public void put(String key, V value, String... tags) {
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(value, "value must not be null");
    try {
      engine.write(keys, key, value, List.of(tags), 0);
    } catch (RedisException e) {
      engine.writeFailed(e);
      if (!engine.failModeOpen()) {
        throw engine.unavailable(e);
      }
    }
  }

  /**
   * Removes {@code key} here, in Redis, and from every instance's near cache.
   *
   * @return whether an entry was in Redis
   * @throws StrataException if Redis does not answer
   */
  public boolean invalidate(String key) {
    Objects.requireNonNull(key, "key must not be null");
    try {
      return engine.invalidate(keys, key) > 0;
    } catch (RedisException e) {
      throw engine.unavailable(e);
    }
  }

  /**
   * Removes every entry cached with {@code tag}, in atomic batches of 1000 (one Lua script each, so
   * Redis is never blocked for long): a tag of up to 1000 entries goes at once, a reader sees all
   * of them or none of them gone; a larger tag goes batch by batch. Every entry tagged before the
   * call is gone when it returns.
   *
   * @return how many entries were removed
   * @throws StrataException if Redis does not answer
   */
  public long invalidateTag(String tag) {
    Objects.requireNonNull(tag, "tag must not be null");
    try {
      return engine.invalidateTag(keys, tag);
    } catch (RedisException e) {
      throw engine.unavailable(e);
    }
  }

  /**
   * Removes every entry whose key matches the glob {@code pattern} ({@code *}, {@code ?}, {@code
   * [...]}, as Redis's {@code MATCH}), walking the key space with {@code SCAN} — never {@code KEYS}
   * — so Redis keeps serving meanwhile. On a Redis Cluster only the node holding this cache
   * namespace's slot is walked. Not atomic: an entry written during the walk may survive.
   *
   * @return how many entries were removed
   * @throws StrataException if Redis does not answer
   */
  public long invalidateMatching(String pattern) {
    Objects.requireNonNull(pattern, "pattern must not be null");
    try {
      return engine.invalidateMatching(keys, pattern);
    } catch (RedisException e) {
      throw engine.unavailable(e);
    }
  }

  /** The name given to the builder. */
  public String name() {
    return engine.name;
  }

  /** How many entries the near cache holds now; 0 without one. For tests and diagnostics. */
  public long nearCacheSize() {
    return engine.near == null ? 0 : engine.near.size();
  }

  /** Whether the near cache holds {@code key} now; false without one. For tests and diagnostics. */
  public boolean nearCacheContains(String key) {
    return engine.near != null && engine.near.get(keys.near(key)) != null;
  }

  /** Closes the near cache's connection; the {@link StrataRedis} stays open. */
  @Override
  public void close() {
    engine.close();
  }

  /** Options of a cache; every one has a default. */
  public static final class Builder<V> {
    final StrataRedis redis;
    final String name;
    final CacheCodec<V> codec;
    Duration ttl = Duration.ofMinutes(10);
    double jitter = 0.1;
    FailMode failMode = FailMode.OPEN;
    long nearSize;
    long nearMaxBytes;
    boolean nearBroadcast;
    Duration nearMaxAge;
    Duration loadLock;
    Duration loadWait = Duration.ofSeconds(10);
    double beta;
    MeterRegistry registry = Metrics.globalRegistry;

    private Builder(StrataRedis redis, String name, CacheCodec<V> codec) {
      this.redis = Objects.requireNonNull(redis, "redis must not be null");
      this.codec = Objects.requireNonNull(codec, "codec must not be null");
      Objects.requireNonNull(name, "name must not be null");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "cache name must be 1 to 64 letters, digits, '_', '.' or '-' but was '" + name + "'");
      }
      this.name = name;
    }

    /** How long entries live in Redis. Default 10 minutes. */
    public Builder<V> ttl(Duration ttl) {
      this.ttl = positive(ttl, "ttl");
      return this;
    }

    /**
     * The largest share of the TTL taken off at random from each entry's TTL, so entries written
     * together do not expire together: 0.1 gives TTLs between 90% and 100% of {@link #ttl}. Default
     * 0.1; 0 turns jitter off.
     */
    public Builder<V> ttlJitter(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException(
            "ttlJitter must be at least 0 and below 1 but was " + fraction);
      }
      this.jitter = fraction;
      return this;
    }

    /** What reads do while Redis does not answer. Default {@link FailMode#OPEN}. */
    public Builder<V> failMode(FailMode mode) {
      this.failMode = Objects.requireNonNull(mode, "failMode must not be null");
      return this;
    }

    /**
     * Adds an in-process near cache of at most {@code maximumSize} entries, each kept at most
     * {@code maxAge} (and never past its expiry in Redis). Redis client-side caching keeps it
     * coherent: a change made by any client reaches every instance's near cache as one push
     * message. Default: no near cache.
     */
    public Builder<V> nearCache(long maximumSize, Duration maxAge) {
      if (maximumSize <= 0) {
        throw new IllegalArgumentException(
            "near cache maximumSize must be positive but was " + maximumSize);
      }
      this.nearSize = maximumSize;
      this.nearMaxAge = positive(maxAge, "near cache maxAge");
      return this;
    }

    /**
     * Bounds the near cache by the bytes its entries hold (their encoded size, roughly) instead of
     * their number. Call after {@link #nearCache}.
     */
    public Builder<V> nearCacheMaxBytes(long maxBytes) {
      if (nearMaxAge == null) {
        throw new IllegalStateException(
            "call nearCache(maximumSize, maxAge) before nearCacheMaxBytes");
      }
      if (maxBytes <= 0) {
        throw new IllegalArgumentException(
            "nearCacheMaxBytes must be positive but was " + maxBytes);
      }
      this.nearMaxBytes = maxBytes;
      return this;
    }

    /**
     * Tracks the near cache in broadcast mode ({@code CLIENT TRACKING BCAST PREFIX
     * strata:c:{<cache>:}): Redis keeps no memory of which keys this instance read, and pushes
     * every change of the cache's entries to every instance. Cheaper for Redis with many instances
     * and few writes; more push traffic with many writes. Call after {@link #nearCache}.
     */
    public Builder<V> nearCacheBroadcast() {
      if (nearMaxAge == null) {
        throw new IllegalStateException(
            "call nearCache(maximumSize, maxAge) before nearCacheBroadcast");
      }
      this.nearBroadcast = true;
      return this;
    }

    /**
     * How long a caller waits for another caller's load of the same key in this JVM before it gets
     * a {@link CacheLoadException}; a hung loader thus never hangs every caller of its key. Default
     * 10 s.
     */
    public Builder<V> loadWaitTimeout(Duration timeout) {
      this.loadWait = positive(timeout, "loadWaitTimeout");
      return this;
    }

    /**
     * Makes concurrent misses load once across JVMs: the first takes a Redis lock that expires
     * after {@code lease} and loads; the others poll for its value, and load themselves if none
     * arrives within {@code lease}. Default: off (once per JVM).
     */
    public Builder<V> loadLock(Duration lease) {
      this.loadLock = positive(lease, "loadLock lease");
      return this;
    }

    /**
     * Turns on probabilistic early refresh (XFetch, Vattani et al.): a read may reload an entry
     * before it expires, the more likely the closer expiry is and the longer the entry took to
     * load. 1.0 is the usual value; higher refreshes earlier. Default 0 (off).
     */
    public Builder<V> earlyRefresh(double beta) {
      if (!(beta >= 0) || Double.isInfinite(beta)) {
        throw new IllegalArgumentException("earlyRefresh beta must be 0 or more but was " + beta);
      }
      this.beta = beta;
      return this;
    }

    /** Where the meters go. Default {@link Metrics#globalRegistry}. */
    public Builder<V> meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "meterRegistry must not be null");
      return this;
    }

    /**
     * Builds the cache; with a near cache, opens its tracked connection.
     *
     * @throws StrataException if the near cache's connection cannot be opened
     */
    public StrataCache<V> build() {
      CacheEngine<V> engine;
      try {
        engine = new CacheEngine<>(this);
      } catch (RedisException e) {
        throw StrataException.environment(
            "cache '"
                + name
                + "': cannot open the near cache's connection to Redis at "
                + redis.address()
                + " ("
                + e.getMessage()
                + ")",
            "check that Redis is up (`strata status`) and that its user may run CLIENT TRACKING");
      }
      return new StrataCache<>(engine, CacheKeys.shared(name));
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what + " must not be null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive but was " + d);
      }
      return d;
    }
  }
}
