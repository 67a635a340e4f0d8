package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import dev.strata.core.tenant.TenantContext;
import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.lock.DistributedLock;
import dev.strata.redis.lock.DistributedLocks;
import dev.strata.redis.lock.LockLease;
import dev.strata.redis.session.Session;
import dev.strata.redis.session.SessionStore;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The library on a real Redis Cluster: 6 redis-server processes (3 masters, 3 replicas) joined by
 * {@code redis-cli --cluster create}, shared by the class. The last test kills a master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class ClusterIT {
  private static RedisServers cluster;
  private static StrataRedis redis;

  @BeforeAll
  static void start() {
    cluster = RedisServers.cluster();
    redis = StrataRedis.connect("redis://127.0.0.1:" + cluster.port());
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
    cluster.close();
  }

  private static String nodeOf(String key) {
    return redis
        .clusterConnection()
        .orElseThrow()
        .getPartitions()
        .getPartitionBySlot(SlotHash.getSlot(key))
        .getNodeId();
  }

  private static long offset(int port, String field) {
    String info = cluster.cli(port, "info", "replication");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(field + ":(\\d+)").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  @Test
  @Order(1)
  void the_client_finds_out_it_talks_to_a_cluster_and_caches_on_every_master() {
    assertThat(redis.isCluster()).isTrue();
    StrataCache<String> cache = StrataCache.builder(redis, "spread", CacheCodec.string()).build();
    Set<String> nodes = new HashSet<>();
    AtomicInteger loads = new AtomicInteger();
    for (int t = 0; t < 30; t++) {
      StrataCache<String> tenant = cache.forTenant(TenantContext.tenant("tenant" + t));
      assertThat(tenant.get("k", () -> "v" + loads.incrementAndGet())).startsWith("v");
      assertThat(tenant.get("k", () -> "again")).startsWith("v");
      nodes.add(nodeOf("strata:c:{spread:t" + ("tenant" + t).length() + ":tenant" + t + "}:k"));
    }
    assertThat(loads).hasValue(30);
    assertThat(nodes).as("tenants spread over the masters").hasSize(3);
    assertThat(
            redis.clusterConnection().orElseThrow().getPartitions().stream()
                .filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM))
                .count())
        .isEqualTo(3);
  }

  @Test
  @Order(2)
  void tagged_puts_and_tag_invalidation_run_as_scripts_in_one_slot() {
    StrataCache<String> cache = StrataCache.builder(redis, "tagged", CacheCodec.string()).build();
    StrataCache<String> acme = cache.forTenant(TenantContext.tenant("acme"));
    acme.put("a", "1", "group");
    acme.put("b", "2", "group");
    acme.put("c", "3", "other");
    cache.put("a", "shared", "group");

    assertThat(acme.invalidateTag("group")).isEqualTo(2);

    assertThat(acme.getIfPresent("a")).isEmpty();
    assertThat(acme.getIfPresent("b")).isEmpty();
    assertThat(acme.getIfPresent("c")).contains("3");
    assertThat(cache.getIfPresent("a")).contains("shared");
  }

  @Test
  @Order(3)
  void pattern_invalidation_walks_the_node_of_the_namespace() {
    StrataCache<String> cache = StrataCache.builder(redis, "patterns", CacheCodec.string()).build();
    for (int i = 0; i < 50; i++) {
      cache.put("user:" + i, "u");
      cache.put("order:" + i, "o");
    }

    assertThat(cache.invalidateMatching("user:*")).isEqualTo(50);

    assertThat(cache.getIfPresent("user:7")).isEmpty();
    assertThat(cache.getIfPresent("order:7")).contains("o");
  }

  @Test
  @Order(4)
  void locks_and_their_fencing_counters_work_on_the_cluster() {
    try (DistributedLocks locks = new DistributedLocks(redis)) {
      DistributedLock lock = locks.lock("cluster-report");
      long previous = 0;
      for (int i = 0; i < 3; i++) {
        try (LockLease lease = lock.tryLock(Duration.ZERO, Duration.ofMinutes(1)).orElseThrow()) {
          assertThat(lock.tryLock(Duration.ZERO, Duration.ofMinutes(1))).isEmpty();
          assertThat(lease.fencingToken()).isGreaterThan(previous);
          previous = lease.fencingToken();
        }
      }
    }
  }

  @Test
  @Order(5)
  void sessions_rotate_log_in_across_slots_and_revoke_all_on_the_cluster() {
    SessionStore sessions = SessionStore.builder(redis).name("cluster").build();
    Session visitor = sessions.createAnonymous(Map.of("cart", "1"));
    Session user = sessions.login(visitor.id(), "sam").orElseThrow();
    Session second = sessions.create("sam", Map.of());
    Session rotated = sessions.rotate(second.id()).orElseThrow();

    assertThat(sessions.find(visitor.id())).isEmpty();
    assertThat(sessions.find(user.id()).orElseThrow().attributes()).containsEntry("cart", "1");
    assertThat(sessions.setAttribute(rotated.id(), "theme", "dark")).isTrue();
    assertThat(sessions.list("sam")).hasSize(2);
    assertThat(sessions.revokeAll("sam")).isEqualTo(2);
    assertThat(sessions.find(rotated.id())).isEmpty();
  }

  @Test
  @Order(6)
  void a_near_cache_on_a_cluster_is_refused_with_the_reason() {
    assertThatThrownBy(
            () ->
                StrataCache.builder(redis, "near", CacheCodec.string())
                    .nearCache(100, Duration.ofMinutes(1))
                    .build())
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("is a Redis Cluster")
        .hasMessageContaining("near cache");
  }

  @Test
  @Order(7)
  void the_cache_keeps_working_when_a_master_dies_and_its_replica_takes_over() {
    StrataCache<String> cache = StrataCache.builder(redis, "failover", CacheCodec.string()).build();
    cache.put("k", "before");
    String master = nodeOf("strata:c:{failover:g}:k");
    RedisClusterNode node =
        redis.clusterConnection().orElseThrow().getPartitions().getPartitionByNodeId(master);
    // the replica must hold the entry before its master dies, or the failover loses it
    int replica =
        redis.clusterConnection().orElseThrow().getPartitions().stream()
            .filter(n -> master.equals(n.getSlaveOf()))
            .findFirst()
            .orElseThrow()
            .getUri()
            .getPort();
    long written = offset(node.getUri().getPort(), "master_repl_offset");
    Wait.until(() -> offset(replica, "slave_repl_offset") >= written);

    cluster.process(node.getUri().getPort()).destroy();

    // adaptive topology refresh follows the promotion; until then calls fail open to the loader
    Wait.until(
        () -> {
          try {
            return cache.getIfPresent("k").equals(java.util.Optional.of("before"))
                && !nodeOf("strata:c:{failover:g}:k").equals(master);
          } catch (StrataException e) {
            return false;
          }
        },
        Duration.ofSeconds(60));
    cache.put("k", "after");
    assertThat(cache.get("k", () -> "loaded")).isEqualTo("after");
  }
}
