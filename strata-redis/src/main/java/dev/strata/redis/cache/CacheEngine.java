package dev.strata.redis.cache;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.redis.cache.Envelope.Held;
import dev.strata.redis.connect.RedisScript;
import dev.strata.redis.connect.StrataRedis;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.Timer;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cache does, shared by all its tenant views: two levels, single flight, the cross-JVM load
 * lock, early refresh and degradation when Redis does not answer.
 */
final class CacheEngine<V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StrataCache.class);
  private static final SecureRandom TOKENS = new SecureRandom();

  /**
   * SET the entry, add its key to each tag set, and keep each tag set alive as long as it. Each put
   * also checks two random members of each tag set and removes those whose entry is gone, so a tag
   * set shrinks back towards its live entries instead of growing without bound.
   */
  private static final RedisScript PUT_TAGGED =
      new RedisScript(
          """
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          local ttl = tonumber(ARGV[2])
          for i = 2, #KEYS do
            for _, m in ipairs(redis.call('SRANDMEMBER', KEYS[i], 2)) do
              if redis.call('EXISTS', m) == 0 then redis.call('SREM', KEYS[i], m) end
            end
            redis.call('SADD', KEYS[i], KEYS[1])
            if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
          end
          return 'OK'
          """);

  /** How many entries of a tag one script call deletes: bounds how long Redis is blocked. */
  static final int TAG_BATCH = 1000;

  /**
   * Delete up to ARGV[1] entries of a tag (and the tag once empty). Returns the number deleted,
   * then the keys, which the caller drops from its own near cache at once.
   */
  private static final RedisScript INVALIDATE_TAG =
      new RedisScript(
          """
          local members = redis.call('SPOP', KEYS[1], tonumber(ARGV[1]))
          local deleted = 0
          for i = 1, #members, 500 do
            deleted = deleted + redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
          end
          if redis.call('SCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
          table.insert(members, 1, deleted)
          return members
          """);

  private static final RedisScript RELEASE_IF_OWNER =
      new RedisScript(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
          return 0
          """);

  final String name;
  private final StrataRedis redis;
  private final CacheCodec<V> codec;
  private final long ttlMillis;
  private final double jitter;
  private final FailMode failMode;
  private final long loadLockMillis;
  private final long loadWaitMillis;
  private final double beta;
  final CacheMetrics metrics;
  final NearCache<V> near;
  private final ConcurrentHashMap<String, CompletableFuture<V>> inFlight =
      new ConcurrentHashMap<>();

  CacheEngine(StrataCache.Builder<V> b) {
    this.name = b.name;
    this.redis = b.redis;
    this.codec = b.codec;
    this.ttlMillis = b.ttl.toMillis();
    this.jitter = b.jitter;
    this.failMode = b.failMode;
    this.loadLockMillis = b.loadLock == null ? 0 : b.loadLock.toMillis();
    this.loadWaitMillis = b.loadWait.toMillis();
    this.beta = b.beta;
    this.metrics = new CacheMetrics(b.registry, name);
    this.near = b.nearMaxAge != null ? new NearCache<>(redis, name, b, metrics) : null;
  }

  V get(CacheKeys keys, String key, Collection<String> tags, CacheLoader<V> loader) {
    if (near != null) {
      Held<V> held = near.get(keys.near(key));
      if (held != null && !refreshEarly(held)) {
        metrics.l1Hits.increment();
        return held.value();
      }
    }
    String dataKey = keys.data(key);
    Held<V> held;
    try {
      redis.health().checkCallable();
      held = readThrough(keys, key, dataKey);
    } catch (RedisException e) {
      return degraded(e, dataKey, loader);
    }
    if (held != null) {
      metrics.l2Hits.increment();
      if (!refreshEarly(held)) {
        return held.value();
      }
      metrics.earlyRefreshes.increment();
    } else {
      metrics.misses.increment();
    }
    Held<V> seen = held;
    return singleFlight(dataKey, () -> loadAndStore(keys, key, tags, loader, seen));
  }

  /** The value in Redis, through the near cache's tracked connection when there is one. */
  Held<V> readThrough(CacheKeys keys, String key) {
    return readThrough(keys, key, keys.data(key));
  }

  private Held<V> readThrough(CacheKeys keys, String key, String dataKey) {
    RedisClusterCommands<String, byte[]> tracked = near == null ? null : near.trackedCommands();
    if (tracked == null) {
      return decode(dataKey, redis.sync().get(dataKey));
    }
    NearKey nearKey = keys.near(key);
    long stamp = near.stamp(nearKey);
    Held<V> held = decode(dataKey, tracked.get(dataKey));
    if (held != null) {
      near.offer(nearKey, held, stamp);
    }
    return held;
  }

  /**
   * Reads that are not of an entry (load locks, the re-check before a load) go over the shared
   * connection: what is read on the tracked connection is tracked, and only entries may be.
   */
  private RedisClusterCommands<String, byte[]> commands() {
    redis.health().checkCallable();
    return redis.sync();
  }

  /**
   * Changes of entries (and their tag sets) go over the tracked connection while it tracks: its
   * NOLOOP spares this instance the echo of its own writes, which would otherwise arrive after it
   * re-read the new value and throw that away. The writer drops the key from its own near cache
   * directly. The scripts read tag sets too; Redis 7.0 does not track reads made by scripts, and
   * should a version do so, the push for a tag set names no entry and is ignored.
   */
  private RedisClusterCommands<String, byte[]> entryCommands() {
    redis.health().checkCallable();
    RedisClusterCommands<String, byte[]> tracked = near == null ? null : near.trackedCommands();
    return tracked != null ? tracked : redis.sync();
  }

  private Held<V> decode(String dataKey, byte[] bytes) {
    return decode(dataKey, bytes, true);
  }

  /** The entry in {@code bytes}; null for none or undecodable ones, reported if {@code report}. */
  private Held<V> decode(String dataKey, byte[] bytes, boolean report) {
    redis.health().answered();
    if (bytes == null) {
      return null;
    }
    try {
      return Envelope.unwrap(bytes, codec);
    } catch (RuntimeException e) {
      if (!report) {
        return null;
      }
      metrics.decodeErrors.increment();
      LOG.warn(
          "cache '{}': entry {} cannot be decoded ({}); treated as a miss and reloaded",
          name,
          dataKey,
          e.getMessage());
      return null;
    }
  }

  /** XFetch: refresh before expiry with a probability that grows as expiry nears. */
  private boolean refreshEarly(Held<V> held) {
    if (beta <= 0) {
      return false;
    }
    double gap =
        -held.loadMillis() * beta * Math.log(ThreadLocalRandom.current().nextDouble(1e-12, 1.0));
    return System.currentTimeMillis() + gap >= held.expiresAtMillis();
  }

  /**
   * Loads and stores, unless the entry changed since this caller read {@code seen} (null for a
   * miss): a load that finished between that read and winning the single flight must not be
   * repeated.
   */
  private V loadAndStore(
      CacheKeys keys, String key, Collection<String> tags, CacheLoader<V> loader, Held<V> seen)
      throws Exception {
    try {
      Held<V> now = decode(keys.data(key), commands().get(keys.data(key)), false);
      if (isNewer(now, seen)) {
        return now.value();
      }
      if (loadLockMillis == 0) {
        return loadAndPut(keys, key, tags, loader);
      }
      return loadUnderLock(keys, key, tags, loader, seen);
    } catch (RedisException e) {
      metrics.redisErrors.increment();
      redis.health().failed(consequence(), e);
      if (failMode == FailMode.CLOSED) {
        throw unavailable(e);
      }
      return loadAndPut(keys, key, tags, loader);
    }
  }

  /**
   * Load once across JVMs: the holder of a short Redis lock loads, the others wait for its value.
   */
  private V loadUnderLock(
      CacheKeys keys, String key, Collection<String> tags, CacheLoader<V> loader, Held<V> seen)
      throws Exception {
    String lockKey = keys.lock(key);
    byte[] token = HexFormat.of().formatHex(randomBytes()).getBytes(US_ASCII);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(loadLockMillis);
    long pause = 2;
    while (true) {
      RedisClusterCommands<String, byte[]> commands = commands();
      if ("OK".equals(commands.set(lockKey, token, SetArgs.Builder.nx().px(loadLockMillis)))) {
        try {
          Held<V> meanwhile = decode(keys.data(key), commands.get(keys.data(key)), false);
          return isNewer(meanwhile, seen) ? meanwhile.value() : loadAndPut(keys, key, tags, loader);
        } finally {
          release(lockKey, token);
        }
      }
      Held<V> loadedElsewhere = decode(keys.data(key), commands.get(keys.data(key)), false);
      if (isNewer(loadedElsewhere, seen)) {
        return loadedElsewhere.value();
      }
      if (System.nanoTime() > deadline) {
        LOG.debug("cache '{}': waited {} ms for another loader of {}", name, loadLockMillis, key);
        return loadAndPut(keys, key, tags, loader);
      }
      Thread.sleep(pause); // the holder's value lands in Redis; there is nothing to block on
      pause = Math.min(pause * 2, 50);
    }
  }

  private static <V> boolean isNewer(Held<V> now, Held<V> seen) {
    return now != null && (seen == null || now.expiresAtMillis() != seen.expiresAtMillis());
  }

  private void release(String lockKey, byte[] token) {
    try {
      RELEASE_IF_OWNER.run(redis.sync(), ScriptOutputType.INTEGER, new String[] {lockKey}, token);
    } catch (RedisException e) {
      LOG.debug("cache '{}': load lock {} not released; it expires by itself", name, lockKey, e);
    }
  }

  private V loadAndPut(CacheKeys keys, String key, Collection<String> tags, CacheLoader<V> loader)
      throws Exception {
    long start = System.nanoTime();
    V value;
    try {
      value = loader.load();
    } catch (Exception | Error e) {
      metrics.loadFailures.increment();
      throw new LoaderFailed(e);
    }
    long elapsed = System.nanoTime() - start;
    metrics.loadTime.record(elapsed, TimeUnit.NANOSECONDS);
    metrics.loadSuccesses.increment();
    if (value != null) {
      int loadMillis = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(elapsed));
      try {
        write(keys, key, value, tags, loadMillis);
      } catch (RedisException e) {
        redis.health().failed(consequence(), e);
        metrics.redisErrors.increment();
        metrics.writesSkipped.increment();
      }
    }
    return value;
  }

  void write(CacheKeys keys, String key, V value, Collection<String> tags, int loadMillis) {
    String dataKey = keys.data(key);
    long ttl = jitteredTtl();
    byte[] entry = Envelope.wrap(codec.encode(value), System.currentTimeMillis() + ttl, loadMillis);
    RedisClusterCommands<String, byte[]> commands = entryCommands();
    if (tags.isEmpty()) {
      commands.set(dataKey, entry, SetArgs.Builder.px(ttl));
    } else {
      String[] redisKeys = new String[tags.size() + 1];
      redisKeys[0] = dataKey;
      int i = 1;
      for (String tag : tags) {
        redisKeys[i++] = keys.tag(tag);
      }
      PUT_TAGGED.run(commands, ScriptOutputType.STATUS, redisKeys, entry, RedisScript.arg(ttl));
    }
    redis.health().answered();
    if (near != null) {
      near.invalidateLocal(keys.near(key));
    }
  }

  /** The TTL of a new entry: the cache's TTL, shortened by up to {@code jitter} of it. */
  long jitteredTtl() {
    if (jitter == 0) {
      return ttlMillis;
    }
    return Math.max(
        1, ttlMillis - (long) (ttlMillis * jitter * ThreadLocalRandom.current().nextDouble()));
  }

  long invalidate(CacheKeys keys, String key) {
    String dataKey = keys.data(key);
    long deleted = entryCommands().del(dataKey);
    if (near != null) {
      near.invalidateLocal(keys.near(key));
    }
    return deleted;
  }

  /** Deletes a tag's entries in batches of {@link #TAG_BATCH}, each batch one atomic script. */
  long invalidateTag(CacheKeys keys, String tag) {
    long deleted = 0;
    while (true) {
      List<Object> result =
          INVALIDATE_TAG.run(
              entryCommands(),
              ScriptOutputType.MULTI,
              new String[] {keys.tag(tag)},
              RedisScript.arg(TAG_BATCH));
      if (near != null) {
        String cachePrefix = CacheKeys.cachePrefix(name);
        for (Object member : result.subList(1, result.size())) {
          near.invalidateLocal(NearKey.parse(cachePrefix, new String((byte[]) member, UTF_8)));
        }
      }
      deleted += (Long) result.get(0);
      if (result.size() - 1 < TAG_BATCH) {
        return deleted;
      }
    }
  }

  long invalidateMatching(CacheKeys keys, String glob) {
    RedisClusterCommands<String, byte[]> commands = entryCommands();
    ScanArgs args = ScanArgs.Builder.matches(keys.dataPattern(glob)).limit(1000);
    if (redis.isCluster()) {
      // the namespace's hash tag puts all its keys on one node: walk that node only
      commands =
          redis
              .clusterConnection()
              .orElseThrow()
              .getConnection(
                  redis
                      .clusterConnection()
                      .orElseThrow()
                      .getPartitions()
                      .getPartitionBySlot(SlotHash.getSlot(keys.dataPrefix()))
                      .getNodeId())
              .sync();
    }
    long deleted = 0;
    KeyScanCursor<String> cursor = commands.scan(args);
    while (true) {
      List<String> found = cursor.getKeys();
      if (!found.isEmpty()) {
        deleted += commands.unlink(found.toArray(String[]::new));
        if (near != null) {
          found.forEach(k -> near.invalidateLocal(NearKey.parse(CacheKeys.cachePrefix(name), k)));
        }
      }
      if (cursor.isFinished()) {
        return deleted;
      }
      cursor = commands.scan(cursor, args);
    }
  }

  /** Redis failed: serve from the loader (fail open) or refuse (fail closed). */
  private V degraded(RedisException e, String dataKey, CacheLoader<V> loader) {
    metrics.redisErrors.increment();
    redis.health().failed(consequence(), e);
    if (failMode == FailMode.CLOSED) {
      throw unavailable(e);
    }
    return singleFlight(
        dataKey,
        () -> {
          Timer.Sample sample = Timer.start();
          V value;
          try {
            value = loader.load();
          } catch (Exception | Error failure) {
            metrics.loadFailures.increment();
            throw failure;
          }
          sample.stop(metrics.loadTime);
          metrics.loadSuccesses.increment();
          return value;
        });
  }

  void checkCallable() {
    redis.health().checkCallable();
  }

  void readFailed(RedisException e) {
    metrics.redisErrors.increment();
    redis.health().failed(consequence(), e);
  }

  void writeFailed(RedisException e) {
    metrics.redisErrors.increment();
    metrics.writesSkipped.increment();
    redis.health().failed(consequence(), e);
  }

  boolean failModeOpen() {
    return failMode == FailMode.OPEN;
  }

  StrataException unavailable(RedisException e) {
    return new StrataException(
        ErrorCode.ENVIRONMENT,
        "cache '"
            + name
            + "': Redis at "
            + redis.address()
            + " does not answer ("
            + e.getMessage()
            + ")",
        "check Redis with `strata status`; this cache fails closed (FailMode.CLOSED), so it refuses"
            + " to serve until Redis answers",
        e);
  }

  private String consequence() {
    return failMode == FailMode.OPEN
        ? "cache '" + name + "' calls its loader and caches nothing (fail open)"
        : "cache '" + name + "' throws (fail closed)";
  }

  /**
   * One load per key at a time in this JVM; concurrent callers wait for it and share its result.
   */
  private V singleFlight(String dataKey, Callable<V> load) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> running = inFlight.putIfAbsent(dataKey, mine);
    if (running != null) {
      return await(dataKey, running);
    }
    try {
      V value = load.call();
      mine.complete(value);
      return value;
    } catch (Throwable t) {
      mine.completeExceptionally(t);
      throw rethrow(dataKey, t);
    } finally {
      inFlight.remove(dataKey, mine);
    }
  }

  private V await(String dataKey, CompletableFuture<V> running) {
    try {
      return running.get(loadWaitMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      metrics.loadWaitTimeouts.increment();
      throw new CacheLoadException(
          "cache '"
              + name
              + "': waited "
              + loadWaitMillis
              + " ms for another caller's load of "
              + dataKey
              + " without a result; the loader is slow or hung (raise loadWaitTimeout if loads"
              + " may take that long)");
    } catch (ExecutionException e) {
      throw rethrow(dataKey, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheLoadException(dataKey, e);
    }
  }

  private static RuntimeException rethrow(String dataKey, Throwable t) {
    if (t instanceof LoaderFailed failed) {
      t = failed.getCause();
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error error) {
      throw error;
    }
    return new CacheLoadException(dataKey, t);
  }

  /**
   * Carries a loader's exception through the Redis error handling untouched, so that a loader that
   * itself throws a Lettuce exception is never mistaken for Redis failing (and run twice).
   */
  private static final class LoaderFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoaderFailed(Throwable cause) {
      super(cause);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[16];
    TOKENS.nextBytes(bytes);
    return bytes;
  }

  @Override
  public void close() {
    if (near != null) {
      near.close();
    }
  }
}
