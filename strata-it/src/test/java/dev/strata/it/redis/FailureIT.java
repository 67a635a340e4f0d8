package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.CacheLoadException;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import io.lettuce.core.KillArgs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis failing under the library: a server that hangs (SIGSTOP), a loader that hangs, the near
 * cache's connection killed while another instance writes. On a redis-server of the test's own, so
 * it can be stopped and its clients killed.
 */
final class FailureIT {
  private static RedisServers server;
  private static String url;

  @BeforeAll
  static void start() {
    server = RedisServers.plain();
    url = "redis://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void signal(String signal) throws IOException, InterruptedException {
    long pid = server.process(server.port()).pid();
    assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor())
        .isZero();
  }

  private static double count(SimpleMeterRegistry meters, String type) {
    return meters.get("strata.cache.errors").tag("type", type).counter().count();
  }

  @Test
  void a_hung_redis_costs_one_timeout_per_probe_interval_not_one_per_call() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataRedis redis =
        StrataRedis.builder(url)
            .commandTimeout(Duration.ofMillis(200))
            .probeInterval(Duration.ofSeconds(5))
            .build()) {
      StrataCache<String> cache =
          StrataCache.builder(redis, "breaker", CacheCodec.string()).meterRegistry(meters).build();
      cache.put("k", "cached");
      signal("STOP");
      try {
        AtomicInteger loads = new AtomicInteger();
        int slow = 0;
        long longest = 0;
        for (int i = 0; i < 20; i++) {
          long start = System.nanoTime();
          assertThat(cache.get("other" + i, () -> "v" + loads.incrementAndGet())).startsWith("v");
          long took = System.nanoTime() - start;
          longest = Math.max(longest, took);
          if (took >= Duration.ofMillis(150).toNanos()) {
            slow++;
          }
        }
        cache.put("skipped", "x"); // fail open: skipped, and counted

        assertThat(loads).hasValue(20);
        assertThat(slow).as("calls that waited for the command timeout").isEqualTo(1);
        // the 200 ms command timeout, not the 10 s bound of the connection handshake
        assertThat(Duration.ofNanos(longest)).isLessThan(Duration.ofSeconds(3));
        assertThat(redis.health().isBreakerOpen()).isTrue();
        assertThat(count(meters, "write_skipped")).isGreaterThanOrEqualTo(1);
        assertThat(count(meters, "redis")).isGreaterThanOrEqualTo(21);
      } finally {
        signal("CONT");
      }
      // the next probe (at most 5 s on) finds Redis again and closes the breaker
      Wait.until(() -> cache.getIfPresent("k").isPresent());
      assertThat(redis.health().isBreakerOpen()).isFalse();
      assertThat(cache.get("k", () -> "loaded")).isEqualTo("cached");
    }
  }

  @Test
  void a_caller_waiting_on_a_hung_loader_gives_up_after_the_load_wait_timeout() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StrataRedis redis = StrataRedis.connect(url)) {
      StrataCache<String> cache =
          StrataCache.builder(redis, "hung", CacheCodec.string())
              .loadWaitTimeout(Duration.ofMillis(300))
              .meterRegistry(meters)
              .build();
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<String> first =
          CompletableFuture.supplyAsync(
              () ->
                  cache.get(
                      "k",
                      () -> {
                        entered.countDown();
                        release.await();
                        return "slow value";
                      }));
      entered.await();

      assertThatThrownBy(() -> cache.get("k", () -> "never runs"))
          .isInstanceOf(CacheLoadException.class)
          .hasMessageContaining("waited 300 ms for another caller's load")
          .hasMessageContaining("loadWaitTimeout");
      assertThat(count(meters, "load_wait_timeout")).isEqualTo(1);

      release.countDown();
      assertThat(first.get()).isEqualTo("slow value");
      assertThat(cache.get("k", () -> "reloaded")).isEqualTo("slow value");
    }
  }

  @Test
  void a_write_while_the_near_cache_reconnects_is_never_served_stale() {
    try (StrataRedis admin = StrataRedis.connect(url);
        StrataRedis redisA = StrataRedis.connect(url);
        StrataRedis redisB = StrataRedis.connect(url);
        StrataCache<String> a =
            StrataCache.builder(redisA, "reconnect", CacheCodec.string())
                .nearCache(100, Duration.ofMinutes(5))
                .build();
        StrataCache<String> b =
            StrataCache.builder(redisB, "reconnect", CacheCodec.string()).build()) {
      b.put("k", "v1");
      a.get("k", () -> "x");
      assertThat(a.get("k", () -> "x")).isEqualTo("v1");
      assertThat(a.nearCacheSize()).isEqualTo(1);

      // the only tracking connection is A's near cache
      String tracked =
          admin
              .sync()
              .clientList()
              .lines()
              .filter(l -> l.matches(".* flags=\\w*t\\w* .*"))
              .findFirst()
              .orElseThrow();
      long id = Long.parseLong(tracked.replaceAll(".*\\bid=(\\d+).*", "$1"));
      assertThat(admin.sync().clientKill(KillArgs.Builder.id(id))).isEqualTo(1);

      Wait.until(() -> a.nearCacheSize() == 0); // flushed the moment the link dropped
      b.put("k", "v2"); // while A reconnects: no push can reach A for it
      assertThat(a.get("k", () -> "x")).isEqualTo("v2");

      // tracking comes back: A keeps entries again, and hears of changes again
      Wait.until(
          () -> {
            a.get("k", () -> "x");
            return a.nearCacheSize() == 1;
          });
      assertThat(a.get("k", () -> "x")).isEqualTo("v2");
      b.put("k", "v3");
      Wait.until(() -> a.nearCacheSize() == 0);
      assertThat(a.get("k", () -> "x")).isEqualTo("v3");
    }
  }
}
