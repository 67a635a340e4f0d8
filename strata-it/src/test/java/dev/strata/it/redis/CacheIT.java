package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.tenant.TenantContext;
import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.CacheLoadException;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

// port 0 in the file too, so that StrataRedis.fromProject reads the port the stack chose
@StrataTest(yaml = "redis:\n  port: 0\n")
final class CacheIT {
  record Product(long id, String name, List<String> labels) {}

  private static StrataRedis redis;

  @BeforeAll
  static void connect(StrataStack stack) {
    redis = StrataRedis.connect(stack.env().redis());
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @Test
  void connects_from_the_projects_strata_yaml(StrataStack stack) {
    try (StrataRedis fromProject = StrataRedis.fromProject(stack.home())) {
      StrataCache.builder(fromProject, "project", CacheCodec.string()).build().put("k", "v");
    }
    assertThat(StrataCache.builder(redis, "project", CacheCodec.string()).build().getIfPresent("k"))
        .contains("v");
  }

  @Test
  void connects_over_tls_with_the_variables_strata_env_prints(StrataStack stack) {
    java.util.Map<String, String> vars = stack.env().variables();
    assertThat(vars.get("REDIS_URL")).startsWith("rediss://");
    assertThat(vars).containsKey("REDIS_CA");

    try (StrataRedis fromEnv = StrataRedis.fromEnvironment(vars::get)) {
      StrataCache.builder(fromEnv, "fromenv", CacheCodec.string()).build().put("k", "v");
    }
    assertThat(StrataCache.builder(redis, "fromenv", CacheCodec.string()).build().getIfPresent("k"))
        .contains("v");
  }

  @Test
  void get_loads_once_then_serves_from_redis() {
    StrataCache<String> cache = StrataCache.builder(redis, "basic", CacheCodec.string()).build();
    AtomicInteger loads = new AtomicInteger();

    assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    assertThat(loads).hasValue(1);
  }

  @Test
  void entries_get_the_ttl_with_jitter_so_they_do_not_expire_together() {
    StrataCache<String> cache =
        StrataCache.builder(redis, "jitter", CacheCodec.string())
            .ttl(Duration.ofSeconds(100))
            .ttlJitter(0.2)
            .build();
    Set<Long> ttls = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      cache.put("k" + i, "v");
      ttls.add(redis.sync().pttl("strata:c:{jitter:g}:k" + i));
    }

    assertThat(ttls).allSatisfy(t -> assertThat(t).isBetween(79_000L, 100_000L));
    assertThat(ttls).hasSizeGreaterThan(40);
  }

  @Test
  void json_codec_round_trips_a_record() {
    StrataCache<Product> cache =
        StrataCache.builder(redis, "json", CacheCodec.json(Product.class)).build();
    Product p = new Product(42, "kettle", List.of("kitchen", "sale"));
    cache.put("42", p);

    assertThat(cache.get("42", () -> null)).isEqualTo(p);
    assertThat(new String(redis.sync().get("strata:c:{json:g}:42"), StandardCharsets.UTF_8))
        .contains("\"name\":\"kettle\"");
  }

  @Test
  void bytes_codec_round_trips_bytes() {
    StrataCache<byte[]> cache = StrataCache.builder(redis, "bytes", CacheCodec.bytes()).build();
    cache.put("b", new byte[] {0, 1, (byte) 255});

    assertThat(cache.getIfPresent("b"))
        .hasValueSatisfying(b -> assertThat(b).containsExactly(0, 1, 255));
  }

  @Test
  void loader_exception_reaches_the_caller_and_nothing_is_cached() {
    StrataCache<String> cache = StrataCache.builder(redis, "failing", CacheCodec.string()).build();

    assertThatThrownBy(
            () ->
                cache.get(
                    "k",
                    () -> {
                      throw new IllegalStateException("db down");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("db down");
    assertThatThrownBy(
            () ->
                cache.get(
                    "k",
                    () -> {
                      throw new IOException("disk");
                    }))
        .isInstanceOf(CacheLoadException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(cache.getIfPresent("k")).isEmpty();
    assertThat(cache.get("k", () -> "ok")).isEqualTo("ok");
  }

  @Test
  void undecodable_value_is_a_miss_that_is_counted_and_reloaded() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    StrataCache<Product> cache =
        StrataCache.builder(redis, "garbage", CacheCodec.json(Product.class))
            .meterRegistry(meters)
            .build();
    redis
        .sync()
        .set("strata:c:{garbage:g}:7", "not a strata entry".getBytes(StandardCharsets.UTF_8));

    Product loaded = cache.get("7", () -> new Product(7, "fresh", List.of()));

    assertThat(loaded.name()).isEqualTo("fresh");
    assertThat(meters.get("strata.cache.errors").tag("type", "decode").counter().count())
        .isEqualTo(1);
    assertThat(cache.getIfPresent("7")).contains(loaded);
  }

  @Test
  void null_from_the_loader_is_returned_and_not_cached() {
    StrataCache<String> cache = StrataCache.builder(redis, "nulls", CacheCodec.string()).build();

    assertThat(cache.get("k", () -> null)).isNull();
    assertThat(redis.sync().exists("strata:c:{nulls:g}:k")).isZero();
  }

  @Test
  void invalidate_tag_removes_every_entry_of_the_tag_and_only_those() {
    StrataCache<String> cache = StrataCache.builder(redis, "tags", CacheCodec.string()).build();
    cache.put("order:1", "a", "customer:42");
    cache.put("order:2", "b", "customer:42", "region:eu");
    cache.get("order:3", Set.of("customer:42"), () -> "c");
    cache.put("order:4", "d", "customer:7");

    assertThat(cache.invalidateTag("customer:42")).isEqualTo(3);

    assertThat(cache.getIfPresent("order:1")).isEmpty();
    assertThat(cache.getIfPresent("order:2")).isEmpty();
    assertThat(cache.getIfPresent("order:3")).isEmpty();
    assertThat(cache.getIfPresent("order:4")).contains("d");
    assertThat(redis.sync().exists("strata:ct:{tags:g}:customer:42")).isZero();
  }

  @Test
  void invalidate_tag_while_writers_write_leaves_no_entry_written_before_it() throws Exception {
    StrataCache<String> cache = StrataCache.builder(redis, "tagrace", CacheCodec.string()).build();
    for (int i = 0; i < 200; i++) {
      cache.put("old:" + i, "v", "hot");
    }
    ExecutorService writers = Executors.newFixedThreadPool(4);
    CountDownLatch started = new CountDownLatch(4);
    List<Future<?>> running = new ArrayList<>();
    AtomicInteger written = new AtomicInteger();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      running.add(
          writers.submit(
              () -> {
                started.countDown();
                for (int i = 0; i < 200; i++) {
                  cache.put("new:" + writer + ":" + i, "v", "hot");
                  written.incrementAndGet();
                }
              }));
    }
    started.await();
    long removed = cache.invalidateTag("hot");
    for (Future<?> f : running) {
      f.get();
    }
    writers.shutdown();

    for (int i = 0; i < 200; i++) {
      assertThat(cache.getIfPresent("old:" + i)).as("old:" + i).isEmpty();
    }
    long newInTag = redis.sync().scard("strata:ct:{tagrace:g}:hot");
    // every new entry is either removed with the tag or still listed under it: none is orphaned
    assertThat(removed - 200 + newInTag).isEqualTo(written.get());
  }

  @Test
  void invalidate_matching_scans_and_removes_only_matching_keys() {
    StrataCache<String> cache = StrataCache.builder(redis, "pattern", CacheCodec.string()).build();
    for (int i = 0; i < 300; i++) {
      cache.put("user:" + i + ":profile", "p");
    }
    cache.put("product:1", "x");
    StrataCache<String> other = StrataCache.builder(redis, "pattern2", CacheCodec.string()).build();
    other.put("user:1:profile", "y");

    assertThat(cache.invalidateMatching("user:*")).isEqualTo(300);
    assertThat(cache.getIfPresent("user:5:profile")).isEmpty();
    assertThat(cache.getIfPresent("product:1")).contains("x");
    assertThat(other.getIfPresent("user:1:profile")).contains("y");
  }

  @Test
  void tenants_never_see_each_others_entries() {
    StrataCache<String> cache = StrataCache.builder(redis, "tenants", CacheCodec.string()).build();
    StrataCache<String> acme = cache.forTenant(TenantContext.tenant("acme"));
    StrataCache<String> globex = cache.forTenant(TenantContext.tenant("globex"));
    StrataCache<String> tricky = cache.forTenant(TenantContext.tenant("acme:x"));

    acme.put("x:plan", "gold");

    assertThat(acme.getIfPresent("x:plan")).contains("gold");
    assertThat(globex.getIfPresent("x:plan")).isEmpty();
    assertThat(tricky.getIfPresent("plan")).isEmpty();
    assertThat(cache.getIfPresent("x:plan")).isEmpty();
    assertThat(globex.invalidateMatching("*")).isZero();
    assertThat(acme.getIfPresent("x:plan")).contains("gold");
    assertThatThrownBy(() -> cache.forTenant(TenantContext.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TenantContext.none()");
  }

  @Test
  void thousand_concurrent_misses_load_once_in_one_jvm() throws Exception {
    StrataCache<String> cache = StrataCache.builder(redis, "stampede", CacheCodec.string()).build();
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch loaderEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);

    List<String> results =
        stampede(
            1000,
            i -> cache,
            () -> {
              loads.incrementAndGet();
              loaderEntered.countDown();
              release.await();
              return "loaded";
            },
            loaderEntered,
            release);

    assertThat(loads).hasValue(1);
    assertThat(results).hasSize(1000).containsOnly("loaded");
  }

  @Test
  void thousand_concurrent_misses_across_two_clients_load_once_with_the_load_lock()
      throws Exception {
    try (StrataRedis second = StrataRedis.connect(env)) {
      StrataCache<String> a =
          StrataCache.builder(redis, "stampede2", CacheCodec.string())
              .loadLock(Duration.ofSeconds(30))
              .build();
      StrataCache<String> b =
          StrataCache.builder(second, "stampede2", CacheCodec.string())
              .loadLock(Duration.ofSeconds(30))
              .build();
      AtomicInteger loads = new AtomicInteger();
      CountDownLatch loaderEntered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);

      List<String> results =
          stampede(
              1000,
              i -> i % 2 == 0 ? a : b,
              () -> {
                loads.incrementAndGet();
                loaderEntered.countDown();
                release.await();
                return "loaded";
              },
              loaderEntered,
              release);

      assertThat(loads).hasValue(1);
      assertThat(results).hasSize(1000).containsOnly("loaded");
    }
  }

  @Test
  void early_refresh_reloads_before_expiry() {
    StrataCache<String> cache =
        StrataCache.builder(redis, "xfetch", CacheCodec.string())
            .ttl(Duration.ofHours(1))
            .earlyRefresh(1e12) // so eager that every read refreshes
            .build();
    AtomicInteger loads = new AtomicInteger();
    CacheLoaderSlow slow = new CacheLoaderSlow(loads);
    cache.get("k", slow);
    cache.get("k", slow);

    assertThat(loads).hasValue(2);
    StrataCache<String> calm = StrataCache.builder(redis, "xfetch", CacheCodec.string()).build();
    calm.get("k", slow);
    assertThat(loads).hasValue(2);
  }

  /** Takes at least a millisecond, so the entry records a load time for XFetch. */
  private record CacheLoaderSlow(AtomicInteger loads)
      implements dev.strata.redis.cache.CacheLoader<String> {
    @Override
    public String load() throws Exception {
      long until = System.nanoTime() + 2_000_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return "v" + loads.incrementAndGet();
    }
  }

  private static dev.strata.core.env.StackEnv env;

  @BeforeAll
  static void rememberUrl(StrataStack stack) {
    env = stack.env();
  }

  /**
   * Starts {@code n} readers of one key, waits until the loader has been entered and every reader
   * has called {@code get}, then lets the loader finish.
   */
  private static List<String> stampede(
      int n,
      java.util.function.IntFunction<StrataCache<String>> cacheOf,
      dev.strata.redis.cache.CacheLoader<String> loader,
      CountDownLatch loaderEntered,
      CountDownLatch release)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch calling = new CountDownLatch(n);
    List<Future<String>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int reader = i;
      futures.add(
          pool.submit(
              () -> {
                calling.countDown();
                return cacheOf.apply(reader).get("hot", loader);
              }));
    }
    loaderEntered.await();
    calling.await(); // every reader is in get() before the value exists
    release.countDown();
    List<String> results = new ArrayList<>();
    for (Future<String> f : futures) {
      results.add(f.get());
    }
    pool.shutdown();
    return results;
  }
}
