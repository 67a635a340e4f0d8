package dev.strata.bench.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.ops.tls.Certificates;
import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.test.StrataStack;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RLocalCachedMap;

/**
 * Measures, in one run and side by side: a near-cache hit against a raw Caffeine {@code
 * getIfPresent} and against Redisson's {@code RLocalCachedMap}; a Redis hit through {@link
 * StrataCache} against a raw Lettuce {@code GET} of the same bytes on the same connection, in plain
 * TCP and in TLS on one redis-server; a miss that loads and stores; the near-cache hit ratio under
 * steady writes to many keys; and how long an invalidation takes to reach another instance's near
 * cache, for Strata and for Redisson. Prints throughput, ratios (median of paired rounds) and their
 * spread (min–max).
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
    // plain TCP on the stack, so Strata, Lettuce and Redisson compare on the same footing; the
    // cost of TLS is measured on a redis-server of its own (tlsVersusPlain)
    try (StrataStack stack = StrataStack.start("bench-redis", "security:\n  tls: false\n")) {
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

      Cache<String, String> caffeine =
          Caffeine.newBuilder()
              .maximumSize(10_000)
              .expireAfterWrite(Duration.ofMinutes(10))
              .build();
      caffeine.put("k", VALUE);
      paired(
          "near-cache hit vs raw Caffeine getIfPresent, 1 thread",
          "Strata",
          () -> near.get("k", () -> VALUE).length(),
          "Caffeine",
          () -> caffeine.getIfPresent("k").length(),
          slice,
          0.5);

      try (Redisson redisson = Redisson.of(url)) {
        RLocalCachedMap<String, String> map = redisson.map("bench-redisson");
        map.fastPut("k", VALUE);
        map.get("k");
        paired(
            "near-cache hit vs Redisson RLocalCachedMap.get, 1 thread",
            "Strata",
            () -> near.get("k", () -> VALUE).length(),
            "Redisson",
            () -> map.get("k").length(),
            slice,
            0);
      }

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
                + "   ratio %.3f (min %.3f, max %.3f; median of %d paired rounds; goal >= 0.90)%n",
            threads,
            median(strata),
            l,
            median(ratios),
            Arrays.stream(ratios).min().orElseThrow(),
            Arrays.stream(ratios).max().orElseThrow(),
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
      redissonInvalidationLatency(url);
      churn(redis, other, slice);
    }
    tlsVersusPlain(slice);
  }

  /**
   * Measures {@code a} and {@code b} in pairs, back to back in alternating order, and prints both
   * medians and the median ratio a/b with its spread.
   */
  private static void paired(
      String what, String aName, Op a, String bName, Op b, Duration slice, double goal)
      throws InterruptedException {
    int rounds = 10;
    double[] as = new double[rounds];
    double[] bs = new double[rounds];
    double[] ratios = new double[rounds];
    measure(1, slice, a);
    measure(1, slice, b);
    for (int round = 0; round < rounds; round++) {
      if (round % 2 == 0) {
        as[round] = measure(1, slice, a);
        bs[round] = measure(1, slice, b);
      } else {
        bs[round] = measure(1, slice, b);
        as[round] = measure(1, slice, a);
      }
      ratios[round] = as[round] / bs[round];
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %s %,.0f ops/s, %s %,.0f ops/s, ratio %.3f (min %.3f, max %.3f; median of %d paired"
            + " rounds)%s%n",
        what,
        aName,
        median(as),
        bName,
        median(bs),
        median(ratios),
        Arrays.stream(ratios).min().orElseThrow(),
        Arrays.stream(ratios).max().orElseThrow(),
        rounds,
        goal > 0 ? String.format(Locale.ROOT, "; goal >= %.2f", goal) : "");
  }

  /** Redisson's time from a put on one client until another client's local cache dropped it. */
  private static void redissonInvalidationLatency(String url) {
    try (Redisson a = Redisson.of(url);
        Redisson b = Redisson.of(url)) {
      RLocalCachedMap<String, String> writer = a.map("bench-redisson-coherence");
      RLocalCachedMap<String, String> reader = b.map("bench-redisson-coherence");
      int rounds = 1000;
      long[] micros = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        writer.fastPut("k", "v" + i);
        String expected = "v" + i;
        while (!expected.equals(reader.getCachedMap().get("k"))) {
          reader.get("k");
        }
        long start = System.nanoTime();
        writer.fastPut("k", "w" + i);
        while (reader.getCachedMap().containsKey("k")
            && expected.equals(reader.getCachedMap().get("k"))) {
          Thread.onSpinWait();
        }
        micros[i] = (System.nanoTime() - start) / 1000;
      }
      Arrays.sort(micros);
      System.out.printf(
          Locale.ROOT,
          "Redisson RLocalCachedMap invalidation reaching another client (%d rounds, from the"
              + " writer's put): p50 %d us, p99 %d us, max %d us%n",
          rounds,
          micros[rounds / 2],
          micros[rounds * 99 / 100],
          micros[rounds - 1]);
    }
  }

  /**
   * The near-cache hit ratio of an instance reading 1,000 keys at random while another instance
   * rewrites 100 of them all the time: what the race guard and the invalidations leave.
   */
  private static void churn(StrataRedis a, StrataRedis b, Duration slice) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataCache<String> reader =
            StrataCache.builder(a, "bench-churn", CacheCodec.string())
                .nearCache(10_000, Duration.ofMinutes(10))
                .ttl(Duration.ofHours(1))
                .meterRegistry(meters)
                .build();
        StrataCache<String> writer =
            StrataCache.builder(b, "bench-churn", CacheCodec.string())
                .ttl(Duration.ofHours(1))
                .build()) {
      for (int i = 0; i < 1000; i++) {
        writer.put("k" + i, VALUE);
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong writes = new AtomicLong();
      Thread churn =
          new Thread(
              () -> {
                java.util.Random random = new java.util.Random(1);
                while (!stop.get()) {
                  writer.put("k" + random.nextInt(100), VALUE);
                  writes.incrementAndGet();
                }
              });
      churn.start();
      java.util.Random random = new java.util.Random(2);
      long start = System.nanoTime();
      double reads =
          measure(
              1,
              slice.multipliedBy(3),
              () -> reader.get("k" + random.nextInt(1000), () -> VALUE).length());
      double seconds = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      churn.join();
      double l1 = meters.get("strata.cache.gets").tag("result", "l1_hit").counter().count();
      double l2 = meters.get("strata.cache.gets").tag("result", "l2_hit").counter().count();
      double misses = meters.get("strata.cache.gets").tag("result", "miss").counter().count();
      double discards =
          meters.get("strata.cache.errors").tag("type", "near_race_discard").counter().count();
      System.out.printf(
          Locale.ROOT,
          "steady writes: 1 reader over 1,000 keys (%,.0f reads/s) while a writer rewrites 100 of"
              + " them (%,.0f writes/s): near-cache hit ratio %.3f, %,.0f invalidations"
              + " received, %,.0f reads discarded by the race guard%n",
          reads,
          writes.get() / seconds,
          l1 / (l1 + l2 + misses),
          meters.get("strata.cache.invalidations").tag("source", "remote").counter().count(),
          discards);
    }
  }

  /** A Redis hit over TLS against the same over plain TCP, on one redis-server with both ports. */
  private static void tlsVersusPlain(Duration slice) throws Exception {
    Path dir = Files.createTempDirectory("bench-redis-tls");
    Certificates certs = new Certificates(dir.resolve("tls"));
    certs.ensureGenerated(Path.of("/usr/bin/openssl"), "127.0.0.1");
    int plain = freePort();
    int tls = freePort();
    Process server =
        new ProcessBuilder(
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                Integer.toString(plain),
                "--tls-port",
                Integer.toString(tls),
                "--tls-cert-file",
                certs.serverCert().toString(),
                "--tls-key-file",
                certs.serverKey().toString(),
                "--tls-ca-cert-file",
                certs.caCert().toString(),
                "--tls-auth-clients",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!Files.readString(dir.resolve("redis.log")).contains("Ready to accept")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("redis-server with TLS did not start: " + dir);
        }
        Thread.sleep(20);
      }
      try (StrataRedis overPlain = StrataRedis.connect("redis://127.0.0.1:" + plain);
          StrataRedis overTls =
              StrataRedis.builder("rediss://127.0.0.1:" + tls)
                  .caCertificate(certs.caCert())
                  .build()) {
        StrataCache<String> p =
            StrataCache.builder(overPlain, "bench-tls", CacheCodec.string())
                .ttl(Duration.ofHours(1))
                .build();
        StrataCache<String> t =
            StrataCache.builder(overTls, "bench-tls", CacheCodec.string())
                .ttl(Duration.ofHours(1))
                .build();
        p.put("k", VALUE);
        paired(
            "Redis hit over TLS vs plain TCP (same redis-server), 1 thread",
            "TLS",
            () -> t.get("k", () -> VALUE).length(),
            "plain",
            () -> p.get("k", () -> VALUE).length(),
            slice,
            0);
      }
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
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
