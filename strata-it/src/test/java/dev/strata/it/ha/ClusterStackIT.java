package dev.strata.it.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.process.Wait;
import dev.strata.ops.stack.Stack;
import dev.strata.redis.connect.StrataRedis;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code redis.mode: cluster} on real servers: 3 masters and 3 replicas formed by {@code redis-cli
 * --cluster create}, TLS and ACLs on every node. The last test kills a master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class ClusterStackIT {
  private static Stack stack;
  private static StrataRedis redis;

  /** One key for each of the 16384 slots. */
  private static final String[] KEY_OF_SLOT = new String[SlotHash.SLOT_COUNT];

  @BeforeAll
  static void up() throws Exception {
    stack = HaStacks.up("cluster", "  mode: cluster\n");
    // 16384 commands at once on a loaded CI machine need more than the default 1 s timeout
    redis =
        StrataRedis.builder(stack.env().variables().get("REDIS_URL"))
            .caCertificate(stack.env().redis().caFile())
            .commandTimeout(Duration.ofSeconds(10))
            .build();
    int found = 0;
    for (int n = 0; found < SlotHash.SLOT_COUNT; n++) {
      String key = "k" + n;
      int slot = SlotHash.getSlot(key);
      if (KEY_OF_SLOT[slot] == null) {
        KEY_OF_SLOT[slot] = key;
        found++;
      }
    }
  }

  @AfterAll
  static void down() {
    if (redis != null) {
      redis.close();
    }
    HaStacks.destroy(stack);
  }

  @Test
  @Order(1)
  void six_nodes_three_masters_each_with_a_replica_and_the_env_lists_them() {
    Map<String, String> vars = stack.env().variables();
    assertThat(vars.get("REDIS_CLUSTER_NODES").split(",")).hasSize(6);
    assertThat(vars.get("REDIS_URL")).startsWith("rediss://app:");
    for (int i = 1; i <= 3; i++) {
      assertThat(HaStacks.details(stack, "redis-" + i))
          .containsEntry("role", "master")
          .containsEntry("replicas", "1");
    }
    for (int i = 4; i <= 6; i++) {
      HaStacks.awaitDetails(
          stack, "redis-" + i, d -> "replica".equals(d.get("role")) && "up".equals(d.get("link")));
    }
  }

  @Test
  @Order(2)
  void strata_redis_finds_the_cluster_and_stores_a_key_in_every_slot() throws Exception {
    assertThat(redis.isCluster()).isTrue();
    writeEverySlot("v1");
    List<RedisFuture<byte[]>> reads = new ArrayList<>();
    for (String key : KEY_OF_SLOT) {
      reads.add(redis.async().get(key));
    }
    for (int slot = 0; slot < reads.size(); slot++) {
      assertThat(new String(reads.get(slot).get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8))
          .as("slot " + slot)
          .isEqualTo("v1");
    }
  }

  private static void writeEverySlot(String value) throws Exception {
    List<RedisFuture<String>> writes = new ArrayList<>();
    for (String key : KEY_OF_SLOT) {
      writes.add(redis.async().set(key, value.getBytes(StandardCharsets.UTF_8)));
    }
    for (RedisFuture<String> w : writes) {
      assertThat(w.get(10, TimeUnit.SECONDS)).isEqualTo("OK");
    }
  }

  @Test
  @Order(3)
  void a_killed_master_is_replaced_by_its_replica_and_rejoins_as_one() throws Exception {
    Map<String, String> before = HaStacks.details(stack, "redis-1");
    assertThat(before).containsEntry("role", "master");
    String replicaOfOne =
        stack.topology().of(Kind.REDIS).stream()
            .map(Instance::id)
            .filter(
                id -> HaStacks.details(stack, id).getOrDefault("master", "").startsWith("redis-1 "))
            .findFirst()
            .orElseThrow();

    HaStacks.kill9(HaStacks.pid(stack, "redis-1"));

    HaStacks.awaitDetails(stack, replicaOfOne, d -> "master".equals(d.get("role")));
    boolean serves =
        Wait.until(
            () -> {
              try {
                writeEverySlot("v2");
                return true;
              } catch (Exception | AssertionError e) {
                return false;
              }
            },
            Duration.ofSeconds(60));
    assertThat(serves).as("every slot takes writes again after the failover").isTrue();
    // a client that starts now, with redis-1 (REDIS_URL's host) dead, finds the cluster through
    // REDIS_CLUSTER_NODES
    try (StrataRedis late = StrataRedis.fromEnvironment(stack.env().variables()::get)) {
      assertThat(late.isCluster()).isTrue();
      late.sync().set(KEY_OF_SLOT[0], "late".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(redis.sync().get(KEY_OF_SLOT[0]), StandardCharsets.UTF_8))
          .isEqualTo("late");
    }

    stack.start("redis-1");
    HaStacks.awaitDetails(
        stack, "redis-1", d -> "replica".equals(d.get("role")) && "up".equals(d.get("link")));
    assertThat(HaStacks.details(stack, "redis-1").get("master")).startsWith(replicaOfOne + " ");
  }
}
