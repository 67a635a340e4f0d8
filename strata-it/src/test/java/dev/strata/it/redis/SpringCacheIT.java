package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.redis.connect.StrataRedis;
import dev.strata.spring.cache.StrataCacheManager;
import dev.strata.spring.cache.StrataSpringCache;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
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
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring's cache abstraction on Strata's cache, in real Spring contexts: {@code @Cacheable},
 * {@code @CachePut}, {@code @CacheEvict}, tags, the near cache, and {@code sync = true} across two
 * application instances (two contexts, two connections) loading once.
 */
@StrataTest
final class SpringCacheIT {
  private static dev.strata.core.env.StackEnv env;
  private static StrataRedis probe;

  record Product(long id, String name, String category) implements Serializable {}

  /** A service as an application writes it: nothing Strata-specific but the manager bean. */
  static class Catalog {
    private final AtomicInteger loads = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    // methods, not fields: callers hold Spring's caching proxy, whose own fields are unset
    public int loads() {
      return loads.get();
    }

    public void gate(CountDownLatch latch) {
      this.gate = latch;
    }

    @Cacheable("products")
    public Product product(long id) {
      loads.incrementAndGet();
      return new Product(id, "product " + id, "c" + (id % 2));
    }

    @Cacheable(cacheNames = "slow", sync = true)
    public String slow(String key) throws InterruptedException {
      loads.incrementAndGet();
      gate.await();
      return "loaded " + key;
    }

    @Cacheable("maybe")
    public String nothing(String key) {
      loads.incrementAndGet();
      return null;
    }

    @CachePut(cacheNames = "products", key = "#p0.id()")
    public Product update(Product product) {
      return product;
    }

    @CacheEvict("products")
    public void remove(long id) {}
  }

  @Configuration
  @EnableCaching
  static class App {
    @Bean(destroyMethod = "close")
    StrataRedis redis() {
      return StrataRedis.connect(env);
    }

    @Bean
    CacheManager cacheManager(StrataRedis redis) {
      return StrataCacheManager.builder(redis)
          .defaults(b -> b.ttl(Duration.ofMinutes(5)))
          .cache("products", b -> b.nearCache(1000, Duration.ofMinutes(5)))
          .cache("slow", b -> b.loadLock(Duration.ofSeconds(20)))
          .tags("products", (key, value) -> Set.of("category:" + ((Product) value).category()))
          .build();
    }

    @Bean
    Catalog catalog() {
      return new Catalog();
    }
  }

  @BeforeAll
  static void connect(StrataStack stack) {
    env = stack.env();
    probe = StrataRedis.connect(env);
  }

  @AfterAll
  static void close() {
    probe.close();
  }

  private static AnnotationConfigApplicationContext start() {
    return new AnnotationConfigApplicationContext(App.class);
  }

  @Test
  void cacheable_loads_once_and_stores_in_redis() {
    try (AnnotationConfigApplicationContext ctx = start()) {
      Catalog catalog = ctx.getBean(Catalog.class);

      Product first = catalog.product(1);
      Product second = catalog.product(1);

      assertThat(second).isEqualTo(first);
      assertThat(catalog.loads()).isEqualTo(1);
      assertThat(probe.sync().exists("strata:c:{products:g}:1")).isEqualTo(1);
      assertThat(ctx.getBean(CacheManager.class)).isInstanceOf(StrataCacheManager.class);
    }
  }

  @Test
  void a_put_on_one_instance_reaches_the_other_instances_near_cache() {
    try (AnnotationConfigApplicationContext a = start();
        AnnotationConfigApplicationContext b = start()) {
      Catalog catalogA = a.getBean(Catalog.class);
      Catalog catalogB = b.getBean(Catalog.class);
      catalogB.product(7);
      catalogB.product(7); // now in B's near cache
      StrataSpringCache cacheB =
          (StrataSpringCache) b.getBean(CacheManager.class).getCache("products");
      assertThat(cacheB.getNativeCache().nearCacheSize()).isEqualTo(1);

      catalogA.update(new Product(7, "renamed", "c1"));

      Wait.until(() -> cacheB.getNativeCache().nearCacheSize() == 0);
      assertThat(catalogB.product(7).name()).isEqualTo("renamed");
      assertThat(catalogB.loads()).isEqualTo(1);
    }
  }

  @Test
  void cache_evict_and_tag_eviction_remove_entries_from_redis() {
    try (AnnotationConfigApplicationContext ctx = start()) {
      Catalog catalog = ctx.getBean(Catalog.class);
      StrataSpringCache cache =
          (StrataSpringCache) ctx.getBean(CacheManager.class).getCache("products");
      catalog.product(10);
      catalog.product(11);
      catalog.product(12);

      catalog.remove(10);
      assertThat(probe.sync().exists("strata:c:{products:g}:10")).isZero();
      assertThat(cache.evictTag("category:c1")).isEqualTo(1); // 11 is odd

      assertThat(probe.sync().exists("strata:c:{products:g}:11")).isZero();
      assertThat(probe.sync().exists("strata:c:{products:g}:12")).isEqualTo(1);
      int before = catalog.loads();
      catalog.product(12);
      catalog.product(11);
      assertThat(catalog.loads() - before).isEqualTo(1);
    }
  }

  @Test
  void null_results_are_cached_as_spring_null_values() {
    try (AnnotationConfigApplicationContext ctx = start()) {
      Catalog catalog = ctx.getBean(Catalog.class);

      assertThat(catalog.nothing("x")).isNull();
      assertThat(catalog.nothing("x")).isNull();

      assertThat(catalog.loads()).isEqualTo(1);
    }
  }

  @Test
  void sync_cacheable_loads_once_across_two_application_instances() throws Exception {
    try (AnnotationConfigApplicationContext a = start();
        AnnotationConfigApplicationContext b = start()) {
      Catalog catalogA = a.getBean(Catalog.class);
      Catalog catalogB = b.getBean(Catalog.class);
      CountDownLatch gate = new CountDownLatch(1);
      catalogA.gate(gate);
      catalogB.gate(gate);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          Catalog c = i % 2 == 0 ? catalogA : catalogB;
          results.add(pool.submit(() -> c.slow("k")));
        }
        // every caller is in: one loads (holding the Redis load lock), the others wait for it
        Wait.until(() -> catalogA.loads() + catalogB.loads() >= 1);
        Wait.until(() -> probe.sync().exists("strata:cl:{slow:g}:k") == 1);
        gate.countDown();
        for (Future<String> f : results) {
          assertThat(f.get()).isEqualTo("loaded k");
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(catalogA.loads() + catalogB.loads()).isEqualTo(1);
    }
  }

  @Test
  void undeclared_cache_names_are_created_on_first_use_unless_names_are_fixed() {
    StrataCacheManager dynamic = StrataCacheManager.builder(probe).build();
    StrataCacheManager fixed =
        StrataCacheManager.builder(probe).cache("known", b -> b).fixedNames().build();

    assertThat(dynamic.getCache("anything")).isNotNull();
    assertThat(fixed.getCache("anything")).isNull();
    assertThat(fixed.getCache("known")).isNotNull();
    assertThat(fixed.getCacheNames()).containsExactly("known");
  }
}
