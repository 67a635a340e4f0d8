package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two application instances, each with its own connection and near cache, on one Redis. */
@StrataTest
final class NearCacheIT {
  private static dev.strata.core.env.StackEnv env;
  private static StrataRedis redisA;
  private static StrataRedis redisB;

  @BeforeAll
  static void connect(StrataStack stack) {
    env = stack.env();
    redisA = StrataRedis.connect(stack.env().redis());
    redisB = StrataRedis.connect(stack.env().redis());
  }

  @AfterAll
  static void close() {
    redisA.close();
    redisB.close();
  }

  private static StrataCache<String> near(StrataRedis redis, String name, SimpleMeterRegistry m) {
    return StrataCache.builder(redis, name, CacheCodec.string())
        .nearCache(1000, Duration.ofMinutes(5))
        .meterRegistry(m)
        .build();
  }

  @Test
  void second_read_is_served_from_the_near_cache() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataCache<String> cache = near(redisA, "l1", meters)) {
      cache.get("k", () -> "v");
      cache.get("k", () -> "v"); // L2 hit: fills L1
      cache.get("k", () -> "v");

      assertThat(meters.get("strata.cache.gets").tag("result", "l1_hit").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("strata.cache.gets").tag("result", "l2_hit").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("strata.cache.gets").tag("result", "miss").counter().count())
          .isEqualTo(1);
    }
  }

  @Test
  void an_update_on_one_instance_is_seen_by_the_other() {
    SimpleMeterRegistry metersB = new SimpleMeterRegistry();
    try (StrataCache<String> a = near(redisA, "coherent", new SimpleMeterRegistry());
        StrataCache<String> b = near(redisB, "coherent", metersB)) {
      a.put("price", "10");
      assertThat(b.get("price", () -> "loaded")).isEqualTo("10");
      assertThat(b.get("price", () -> "loaded")).isEqualTo("10"); // now in B's near cache
      assertThat(b.nearCacheSize()).isEqualTo(1);

      a.put("price", "12");

      Wait.until(() -> b.nearCacheSize() == 0);
      assertThat(b.get("price", () -> "loaded")).isEqualTo("12");
      assertThat(
              metersB.get("strata.cache.invalidations").tag("source", "remote").counter().count())
          .isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void invalidations_reach_the_other_instance_for_keys_tags_and_patterns() {
    try (StrataCache<String> a = near(redisA, "coherent2", new SimpleMeterRegistry());
        StrataCache<String> b = near(redisB, "coherent2", new SimpleMeterRegistry())) {
      a.put("k1", "v1");
      a.put("k2", "v2", "t");
      a.put("k3", "v3");
      AtomicInteger loads = new AtomicInteger();
      for (String k : new String[] {"k1", "k2", "k3"}) {
        b.get(k, () -> "loaded" + loads.incrementAndGet());
        b.get(k, () -> "loaded" + loads.incrementAndGet());
      }
      assertThat(b.nearCacheSize()).isEqualTo(3);
      assertThat(loads).hasValue(0);

      for (String k : new String[] {"k1", "k2", "k3"}) {
        a.get(k, () -> "loaded");
        a.get(k, () -> "loaded");
      }
      assertThat(a.nearCacheSize()).isEqualTo(3);

      a.invalidate("k1");
      a.invalidateTag("t");
      a.invalidateMatching("k3");

      assertThat(a.nearCacheSize()).as("the writer's own near cache, at once").isZero();

      Wait.until(() -> b.nearCacheSize() == 0);
      assertThat(b.get("k1", () -> "fresh")).isEqualTo("fresh");
    }
  }

  @Test
  void a_change_by_a_plain_redis_client_also_invalidates() {
    try (StrataCache<String> b = near(redisB, "foreign", new SimpleMeterRegistry())) {
      b.put("k", "v");
      b.get("k", () -> "x");
      b.get("k", () -> "x");
      assertThat(b.nearCacheSize()).isEqualTo(1);

      redisA.sync().del("strata:c:{foreign:g}:k");

      Wait.until(() -> b.nearCacheSize() == 0);
    }
  }

  @Test
  void near_cache_keeps_at_most_its_size_and_counts_evictions() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataCache<String> cache =
        StrataCache.builder(redisA, "small", CacheCodec.string())
            .nearCache(5, Duration.ofMinutes(5))
            .meterRegistry(meters)
            .build()) {
      for (int i = 0; i < 50; i++) {
        cache.put("k" + i, "v" + i);
        cache.get("k" + i, () -> "loaded"); // fills the near cache
      }

      // Caffeine evicts and notifies on its executor: wait for both to settle
      Wait.until(
          () -> meters.get("strata.cache.evictions").tag("level", "l1").counter().count() >= 45);
      assertThat(cache.nearCacheSize()).isLessThanOrEqualTo(5);
      assertThat(cache.get("k0", () -> "loaded")).isEqualTo("v0"); // still in Redis
    }
  }

  /**
   * Pushes reach an instance in the order Redis applied the writes, so once the push for a write
   * made last has arrived, every push for the writes before it has too: a barrier that makes
   * "nothing else was invalidated" checkable without sleeping.
   */
  private static void barrier(StrataCache<String> writer, StrataCache<String> reader) {
    String marker = "barrier-" + System.nanoTime();
    writer.put(marker, "1");
    Wait.until(
        () -> {
          reader.get(marker, () -> "x");
          return reader.nearCacheContains(marker); // read on the tracked connection, and kept
        });
    writer.put(marker, "2");
    Wait.until(() -> !reader.nearCacheContains(marker));
    writer.invalidate(marker);
  }

  @Test
  void another_instances_tagged_writes_do_not_flush_this_near_cache() {
    try (StrataCache<String> a = near(redisA, "sharedtags", new SimpleMeterRegistry());
        StrataCache<String> b = near(redisB, "sharedtags", new SimpleMeterRegistry())) {
      a.put("a1", "v", "t"); // A's script read the tag set: on the shared connection, untracked
      a.get("a1", () -> "x");
      a.get("a1", () -> "x");
      a.put("k", "v");
      a.get("k", () -> "x");
      a.get("k", () -> "x");
      assertThat(a.nearCacheSize()).isEqualTo(2);

      b.put("b1", "v", "t"); // changes the tag set A's put wrote
      b.put("b2", "v", "t", "u");
      barrier(b, a);

      assertThat(a.nearCacheSize()).as("A's entries survive B's tag writes").isEqualTo(2);
      b.invalidateTag("t"); // takes a1 (and b1, b2): only a1 leaves A's near cache
      Wait.until(() -> a.nearCacheSize() == 1);
      assertThat(a.get("k", () -> "loaded")).isEqualTo("v");
      assertThat(a.get("a1", () -> "reloaded")).isEqualTo("reloaded");
    }
  }

  @Test
  void three_instances_writing_the_same_and_different_keys_never_read_stale_after_the_push() {
    try (StrataRedis redisC = StrataRedis.connect(env);
        StrataCache<String> a = near(redisA, "three", new SimpleMeterRegistry());
        StrataCache<String> b = near(redisB, "three", new SimpleMeterRegistry());
        StrataCache<String> c = near(redisC, "three", new SimpleMeterRegistry())) {
      List<StrataCache<String>> all = List.of(a, b, c);
      for (int round = 0; round < 20; round++) {
        StrataCache<String> writer = all.get(round % 3);
        String value = "r" + round;
        writer.put("shared", value);
        writer.put("own" + (round % 3), value);
        for (StrataCache<String> reader : all) {
          if (reader != writer) {
            barrier(writer, reader);
          }
          // after the barrier, the push for this round's writes has arrived: never the old value
          assertThat(reader.get("shared", () -> "loaded")).isEqualTo(value);
          assertThat(reader.get("own" + (round % 3), () -> "loaded")).isEqualTo(value);
          reader.get("shared", () -> "loaded"); // keep it in the near cache for the next round
        }
      }
    }
  }

  @Test
  void an_entry_leaves_the_near_cache_at_its_own_expiry_without_waiting_for_redis() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataCache<String> cache =
        StrataCache.builder(redisA, "expiring", CacheCodec.string())
            .ttl(Duration.ofMillis(400))
            .ttlJitter(0)
            .nearCache(100, Duration.ofMinutes(5))
            .meterRegistry(meters)
            .build()) {
      cache.put("k", "v");
      long written = System.currentTimeMillis(); // the entry expires at the latest 400 ms on
      cache.get("k", () -> "x");
      cache.get("k", () -> "x");
      double l1 = meters.get("strata.cache.gets").tag("result", "l1_hit").counter().count();
      if (System.currentTimeMillis() - written < 300) {
        assertThat(l1).isEqualTo(1);
      }
      Wait.until(() -> System.currentTimeMillis() >= written + 401);

      cache.get("k", () -> "reloaded");

      assertThat(meters.get("strata.cache.gets").tag("result", "l1_hit").counter().count())
          .as("no near-cache hit past the entry's expiry")
          .isEqualTo(l1);
    }
  }

  @Test
  void reads_of_one_key_are_kept_while_other_cached_keys_change_all_the_time() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataCache<String> a = near(redisA, "churn", meters);
        StrataCache<String> b = near(redisB, "churn", new SimpleMeterRegistry())) {
      for (int i = 0; i < 200; i++) {
        a.put("k" + i, "v");
      }
      AtomicBoolean stop = new AtomicBoolean();
      // A keeps re-reading keys 100..199 and B keeps rewriting them: a steady stream of pushes
      Thread churn =
          new Thread(
              () -> {
                int i = 0;
                while (!stop.get()) {
                  String key = "k" + (100 + i++ % 100);
                  b.put(key, "w" + i);
                  a.get(key, () -> "x");
                }
              });
      churn.start();
      try {
        Wait.until(
            () ->
                meters.get("strata.cache.invalidations").tag("source", "remote").counter().count()
                    > 200);
        for (int i = 0; i < 100; i++) {
          a.get("k" + i, () -> "x"); // first read of each: from Redis, offered to the near cache
        }
      } finally {
        stop.set(true);
        churn.join();
      }
      long kept = 0;
      for (int i = 0; i < 100; i++) {
        double before = meters.get("strata.cache.gets").tag("result", "l1_hit").counter().count();
        a.get("k" + i, () -> "x");
        if (meters.get("strata.cache.gets").tag("result", "l1_hit").counter().count() > before) {
          kept++;
        }
      }
      assertThat(kept)
          .as("reads kept of 100, under churn of other keys")
          .isGreaterThanOrEqualTo(90);
    }
  }

  @Test
  void broadcast_mode_hears_of_changes_to_keys_it_never_read() {
    try (StrataCache<String> a =
            StrataCache.builder(redisA, "bcast", CacheCodec.string())
                .nearCache(100, Duration.ofMinutes(5))
                .nearCacheBroadcast()
                .build();
        StrataCache<String> b = near(redisB, "bcast", new SimpleMeterRegistry())) {
      b.put("k", "v1");
      a.get("k", () -> "x");
      a.get("k", () -> "x");
      assertThat(a.nearCacheSize()).isEqualTo(1);

      redisB.sync().set("strata:c:{bcastother:g}:k", "foreign".getBytes(StandardCharsets.UTF_8));
      b.put("k", "v2");

      Wait.until(() -> a.nearCacheSize() == 0);
      assertThat(a.get("k", () -> "x")).isEqualTo("v2");
    }
  }

  @Test
  void a_byte_bound_near_cache_keeps_what_fits() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataCache<String> cache =
        StrataCache.builder(redisA, "weighed", CacheCodec.string())
            .nearCache(1_000_000, Duration.ofMinutes(5))
            .nearCacheMaxBytes(4_000)
            .meterRegistry(meters)
            .build()) {
      for (int i = 0; i < 50; i++) {
        cache.put("k" + i, "x".repeat(1000));
        cache.get("k" + i, () -> "loaded");
      }

      Wait.until(
          () -> meters.get("strata.cache.evictions").tag("level", "l1").counter().count() >= 46);
      assertThat(cache.nearCacheSize()).isLessThanOrEqualTo(4);
    }
  }
}
