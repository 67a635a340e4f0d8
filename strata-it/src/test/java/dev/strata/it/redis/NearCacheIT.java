package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two application instances, each with its own connection and near cache, on one Redis. */
@StrataTest
final class NearCacheIT {
  private static StrataRedis redisA;
  private static StrataRedis redisB;

  @BeforeAll
  static void connect(StrataStack stack) {
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
}
