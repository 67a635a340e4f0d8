package dev.strata.redis.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.strata.redis.cache.Envelope.Held;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.connect.TrackedConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process level (L1) of a cache, kept coherent by Redis client-side caching: entries are
 * read from Redis on a tracked connection, and Redis pushes an invalidation for every key this
 * instance read when anyone changes it, deletes it, or it expires or is evicted.
 *
 * <p>An entry lives at most {@code maxAge}. When it expires in Redis, the server deletes it and
 * pushes the invalidation like for any other deletion (active expiry reaches every expired key
 * within a short time; {@code maxAge} bounds the worst case).
 *
 * <p>The race between a read and an invalidation of the same key is closed with a generation
 * counter: a reader notes it before asking Redis, stores the value, and drops it again if any
 * invalidation arrived in between.
 */
final class NearCache<V> implements PushListener, AutoCloseable {
  private final Cache<NearKey, Held<V>> entries;
  private final AtomicLong generation = new AtomicLong();
  private final TrackedConnection connection;
  private final CacheMetrics metrics;
  private final String cachePrefix;

  NearCache(
      StrataRedis redis, String cache, long maximumSize, Duration maxAge, CacheMetrics metrics) {
    this.metrics = metrics;
    this.cachePrefix = CacheKeys.cachePrefix(cache);
    this.entries =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .expireAfterWrite(maxAge)
            .removalListener(
                (NearKey key, Held<V> value, RemovalCause cause) -> {
                  if (cause.wasEvicted()) {
                    metrics.l1Evictions.increment();
                  }
                })
            .build();
    this.connection = redis.openTracked(this, this::reset);
  }

  Held<V> get(NearKey key) {
    return entries.getIfPresent(key);
  }

  /** Read this before asking Redis for a value that may be offered afterwards. */
  long generation() {
    return generation.get();
  }

  /**
   * The commands whose reads Redis tracks for this near cache, or null while tracking is off (the
   * connection is down or reconnecting): then the shared connection serves, and nothing is kept.
   */
  RedisClusterCommands<String, byte[]> trackedCommands() {
    return connection.isTracking() ? connection.sync() : null;
  }

  /** Keeps a value read from Redis, unless an invalidation may have overtaken it. */
  void offer(NearKey key, Held<V> held, long generationBeforeRead) {
    if (!connection.isTracking()) {
      return;
    }
    entries.put(key, held);
    if (generation.get() != generationBeforeRead) {
      entries.invalidate(key);
    }
  }

  /** Drops a key this instance just wrote or deleted; Redis's own push follows. */
  void invalidateLocal(NearKey key) {
    generation.incrementAndGet();
    entries.invalidate(key);
    metrics.localInvalidations.increment();
  }

  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }

  @Override
  public void onPushMessage(PushMessage message) {
    if (!"invalidate".equals(message.getType())) {
      return;
    }
    List<Object> content = message.getContent(StringCodec.UTF8::decodeKey);
    generation.incrementAndGet();
    Object keys = content.size() > 1 ? content.get(1) : null;
    if (keys instanceof List<?> list) {
      for (Object key : list) {
        NearKey near = NearKey.parse(cachePrefix, (String) key);
        if (near == null) {
          entries.invalidateAll(); // not a key of ours: be safe rather than stale
          break;
        }
        entries.invalidate(near);
      }
      metrics.remoteInvalidations.increment(list.size());
    } else {
      entries.invalidateAll(); // FLUSHALL, or the server's tracking table overflowed
    }
  }

  private void reset() {
    generation.incrementAndGet();
    entries.invalidateAll();
  }

  @Override
  public void close() {
    connection.close();
    entries.invalidateAll();
  }
}
