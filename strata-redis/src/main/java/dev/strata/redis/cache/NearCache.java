package dev.strata.redis.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.strata.redis.cache.Envelope.Held;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.connect.TrackedConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The in-process level (L1) of a cache, kept coherent by Redis client-side caching: entries are
 * read from Redis on a tracked connection, and Redis pushes an invalidation for every key this
 * instance read when anyone changes it, deletes it, or it expires or is evicted.
 *
 * <p>An entry lives at most {@code maxAge}, and never past its own expiry in Redis (which it
 * carries): the near cache does not wait for Redis's expiry push, which lags on a large keyspace.
 *
 * <p>Only entry keys are read on the tracked connection (tag sets and locks go over the shared
 * one), so a push naming any other key is not ours and is ignored; only a push without keys (a
 * flush, or the server's tracking table overflowing) empties the whole near cache.
 *
 * <p>The race between a read and an invalidation of the same key is closed with striped generation
 * counters plus one global counter: a reader notes its key's stamp before asking Redis, stores the
 * value, and drops it again if an invalidation of a key of the same stripe (or a reset) arrived in
 * between. Writes to other keys rarely share the stripe, so they leave such reads alone.
 */
final class NearCache<V> implements PushListener, AutoCloseable {
  private static final int STRIPES = 4096;

  private final Cache<NearKey, Held<V>> entries;
  private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
  private final AtomicLong global = new AtomicLong();
  private final TrackedConnection connection;
  private final CacheMetrics metrics;
  private final String cachePrefix;

  NearCache(StrataRedis redis, String cache, StrataCache.Builder<?> b, CacheMetrics metrics) {
    this.metrics = metrics;
    this.cachePrefix = CacheKeys.cachePrefix(cache);
    long maxAgeNanos = b.nearMaxAge.toNanos();
    Caffeine<NearKey, Held<V>> builder =
        Caffeine.newBuilder()
            .expireAfter(new LocalExpiry<V>(maxAgeNanos))
            .removalListener(
                (NearKey key, Held<V> value, RemovalCause cause) -> {
                  if (cause.wasEvicted()) {
                    metrics.l1Evictions.increment();
                  }
                });
    if (b.nearMaxBytes > 0) {
      builder.maximumWeight(b.nearMaxBytes).weigher((NearKey k, Held<V> h) -> weight(k, h));
    } else {
      builder.maximumSize(b.nearSize);
    }
    this.entries = builder.build();
    TrackedConnection.Mode mode =
        b.nearBroadcast
            ? TrackedConnection.Mode.broadcast(List.of(cachePrefix))
            : TrackedConnection.Mode.readKeys();
    this.connection = redis.openTracked(this, this::reset, mode);
  }

  /** Bytes an entry holds, roughly: its encoded size and its key. */
  private static int weight(NearKey key, Held<?> held) {
    return 64 + held.size() + 2 * key.key().length();
  }

  Held<V> get(NearKey key) {
    return entries.getIfPresent(key);
  }

  /** Read this before asking Redis for a value that may be offered afterwards. */
  long stamp(NearKey key) {
    return global.get() + stripes.get(stripe(key));
  }

  private static int stripe(NearKey key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  /**
   * The commands whose reads Redis tracks for this near cache, or null while tracking is off (the
   * connection is down or reconnecting): then the shared connection serves, and nothing is kept.
   */
  RedisClusterCommands<String, byte[]> trackedCommands() {
    return connection.isTracking() ? connection.sync() : null;
  }

  /** Keeps a value read from Redis, unless an invalidation may have overtaken it. */
  void offer(NearKey key, Held<V> held, long stampBeforeRead) {
    if (!connection.isTracking() || held.expiresAtMillis() <= System.currentTimeMillis()) {
      return;
    }
    entries.put(key, held);
    if (stamp(key) != stampBeforeRead) {
      entries.invalidate(key);
      metrics.raceDiscards.increment();
    }
  }

  /** Drops a key this instance just wrote or deleted; Redis's own push follows. */
  void invalidateLocal(NearKey key) {
    if (key == null) {
      return;
    }
    stripes.incrementAndGet(stripe(key));
    entries.invalidate(key);
    metrics.localInvalidations.increment();
  }

  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }

  TrackedConnection connection() {
    return connection;
  }

  @Override
  public void onPushMessage(PushMessage message) {
    if (!"invalidate".equals(message.getType())) {
      return;
    }
    List<Object> content = message.getContent(StringCodec.UTF8::decodeKey);
    Object keys = content.size() > 1 ? content.get(1) : null;
    if (keys instanceof List<?> list) {
      int ours = 0;
      for (Object key : list) {
        NearKey near = NearKey.parse(cachePrefix, (String) key);
        if (near == null) {
          continue; // not an entry of this cache: nothing here can be stale because of it
        }
        stripes.incrementAndGet(stripe(near));
        entries.invalidate(near);
        ours++;
      }
      metrics.remoteInvalidations.increment(ours);
    } else {
      reset(); // FLUSHALL, or the server's tracking table overflowed
    }
  }

  private void reset() {
    global.incrementAndGet();
    entries.invalidateAll();
  }

  @Override
  public void close() {
    connection.close();
    entries.invalidateAll();
  }

  /** An entry lives until its expiry in Redis, and at most maxAge. */
  private record LocalExpiry<V>(long maxAgeNanos) implements Expiry<NearKey, Held<V>> {
    @Override
    public long expireAfterCreate(NearKey key, Held<V> held, long currentTime) {
      long left =
          TimeUnit.MILLISECONDS.toNanos(held.expiresAtMillis() - System.currentTimeMillis());
      return Math.max(0, Math.min(maxAgeNanos, left));
    }

    @Override
    public long expireAfterUpdate(
        NearKey key, Held<V> held, long currentTime, long currentDuration) {
      return expireAfterCreate(key, held, currentTime);
    }

    @Override
    public long expireAfterRead(NearKey key, Held<V> held, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
