package dev.strata.bench.redis;

import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.test.StrataStack;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, in one run and side by side: a near-cache hit, a Redis hit through {@link StrataCache}
 * against a raw Lettuce {@code GET} of the same bytes on a connection with the same settings, a
 * miss that loads and stores, and how long an invalidation takes to reach another instance's near
 * cache. Prints throughput and the ratios the issue sets goals for.
 *
 * <p>Runs on a throwaway stack in a temporary folder, or on {@code $REDIS_URL} when set. Argument:
 * seconds per measurement (default 1).
 */
public final class RedisBench {
  private static final String VALUE = "x".repeat(100);
  private static volatile long sink;

  private RedisBench() {}

  public static void main(String[] args) throws Exception {
    Duration slice = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 1);
    String url = System.getenv("REDIS_URL");
    if (url != null && !url.isBlank()) {
      run(url, slice);
      return;
    }
    try (StrataStack stack = StrataStack.start("bench-redis", "")) {
      run(stack.env().redis().url(), slice);
    }
  }

  private static void run(String url, Duration slice) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "strata-redis benchmark: %s per measurement, JDK %s, %d CPUs%n",
        slice,
        Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    try (StrataRedis redis = StrataRedis.connect(url);
        StrataRedis other = StrataRedis.connect(url)) {
      // raw Lettuce on the very connection the cache uses: the only difference is Strata's layer
      RedisClusterCommands<String, byte[]> rawCommands = redis.sync();
      StrataCache<String> near =
          StrataCache.builder(redis, "bench-near", CacheCodec.string())
              .nearCache(10_000, Duration.ofMinutes(10))
              .ttl(Duration.ofHours(1))
              .build();
      near.put("k", VALUE);
      near.get("k", () -> VALUE);
      double[] nearRounds = new double[6];
      for (int round = 0; round < nearRounds.length; round++) {
        nearRounds[round] = measure(1, slice, () -> near.get("k", () -> VALUE).length());
      }
      nearRounds[0] = 0; // the first round warms the JIT up
      double nearHit = median(Arrays.copyOfRange(nearRounds, 1, nearRounds.length));
      System.out.printf(
          Locale.ROOT,
          "near-cache hit, 1 thread:        %,14.0f ops/s (median of 5 rounds; best %,.0f)%n",
          nearHit,
          Arrays.stream(nearRounds).max().orElseThrow());

      StrataCache<String> l2 =
          StrataCache.builder(redis, "bench-l2", CacheCodec.string())
              .ttl(Duration.ofHours(1))
              .build();
      l2.put("k", VALUE);
      String key = "strata:c:{bench-l2:g}:k"; // the same entry, bytes and all
      double rawOneThread = 0;
      for (int threads : new int[] {1, 8}) {
        int rounds = 10;
        double[] strata = new double[rounds];
        double[] lettuce = new double[rounds];
        double[] ratios = new double[rounds];
        measure(threads, slice, () -> l2.get("k", () -> VALUE).length()); // warm-up
        measure(threads, slice, () -> rawCommands.get(key).length);
        for (int round = 0; round < rounds; round++) {
          // pairs measured back to back, in alternating order, so that load from other
          // processes hits both sides alike; the ratio is taken per pair
          boolean strataFirst = round % 2 == 0;
          if (strataFirst) {
            strata[round] = measure(threads, slice, () -> l2.get("k", () -> VALUE).length());
          }
          lettuce[round] = measure(threads, slice, () -> rawCommands.get(key).length);
          if (!strataFirst) {
            strata[round] = measure(threads, slice, () -> l2.get("k", () -> VALUE).length());
          }
          ratios[round] = strata[round] / lettuce[round];
        }
        double l = median(lettuce);
        if (threads == 1) {
          rawOneThread = l;
        }
        System.out.printf(
            Locale.ROOT,
            "Redis hit, %d thread(s): Strata %,10.0f ops/s   raw Lettuce GET %,10.0f ops/s"
                + "   ratio %.3f (median of %d paired rounds; goal >= 0.90)%n",
            threads,
            median(strata),
            l,
            median(ratios),
            rounds);
      }

      StrataCache<String> miss =
          StrataCache.builder(redis, "bench-miss", CacheCodec.string())
              .ttl(Duration.ofMinutes(5))
              .build();
      AtomicLong keys = new AtomicLong();
      double missLoad =
          measure(
              1,
              slice,
              () -> miss.get(Long.toString(keys.incrementAndGet()), () -> VALUE).length());
      System.out.printf(Locale.ROOT, "miss + load + store, 1 thread:   %,14.0f ops/s%n", missLoad);
      System.out.printf(
          Locale.ROOT,
          "near-cache hit vs raw Lettuce GET (1 thread): %.0fx; near-cache goal >= 10,000,000"
              + " ops/s: %s%n",
          nearHit / rawOneThread,
          nearHit >= 10_000_000 ? "met" : "NOT met");

      invalidationLatency(redis, other);
    }
  }

  /** Time from one instance's put returning until another instance's near cache dropped the key. */
  private static void invalidationLatency(StrataRedis a, StrataRedis b) {
    try (StrataCache<String> writer =
            StrataCache.builder(a, "bench-coherence", CacheCodec.string())
                .nearCache(100, Duration.ofMinutes(10))
                .build();
        StrataCache<String> reader =
            StrataCache.builder(b, "bench-coherence", CacheCodec.string())
                .nearCache(100, Duration.ofMinutes(10))
                .build()) {
      int rounds = 1000;
      long[] micros = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        writer.put("k", "v" + i);
        reader.get("k", () -> "x");
        reader.get("k", () -> "x");
        while (reader.nearCacheSize() != 1) {
          reader.get("k", () -> "x");
        }
        long start = System.nanoTime();
        writer.put("k", "w" + i);
        while (reader.nearCacheSize() != 0) {
          Thread.onSpinWait();
        }
        micros[i] = (System.nanoTime() - start) / 1000;
      }
      Arrays.sort(micros);
      System.out.printf(
          Locale.ROOT,
          "near-cache invalidation reaching another instance (%d rounds, from the writer's put):"
              + " p50 %d us, p99 %d us, max %d us%n",
          rounds,
          micros[rounds / 2],
          micros[rounds * 99 / 100],
          micros[rounds - 1]);
    }
  }

  /** Operations per second of {@code threads} threads calling {@code op} for {@code slice}. */
  private static double measure(int threads, Duration slice, Op op) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    long[] counts = new long[threads];
    List<Thread> workers = new ArrayList<>();
    long[] window = new long[2];
    for (int t = 0; t < threads; t++) {
      int me = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                long end = System.nanoTime() + slice.toNanos();
                long n = 0;
                long acc = 0;
                while (true) {
                  for (int i = 0; i < 256; i++) {
                    acc += op.run();
                  }
                  n += 256;
                  if (System.nanoTime() >= end) {
                    break;
                  }
                }
                counts[me] = n;
                sink += acc;
              });
      worker.start();
      workers.add(worker);
    }
    window[0] = System.nanoTime();
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    window[1] = System.nanoTime();
    long total = Arrays.stream(counts).sum();
    return total / ((window[1] - window[0]) / 1e9);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  @FunctionalInterface
  private interface Op {
    long run();
  }
}
