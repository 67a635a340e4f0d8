package dev.strata.it.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.env.StackEnv;
import dev.strata.core.topology.Kind;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Wait;
import dev.strata.ops.redis.Sentinels;
import dev.strata.ops.stack.Stack;
import dev.strata.redis.connect.StrataRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code redis.mode: sentinel} on real servers: a master, one replica and three Sentinels with TLS
 * and ACLs. The last test kills the master with SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class SentinelStackIT {
  private static Stack stack;
  private static StrataRedis redis;

  @BeforeAll
  static void up() throws Exception {
    stack = HaStacks.up("sentinel", "  mode: sentinel\n  replicas: 1\n");
    redis = StrataRedis.fromEnvironment(stack.env().variables()::get);
  }

  @AfterAll
  static void down() {
    if (redis != null) {
      redis.close();
    }
    HaStacks.destroy(stack);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void env_names_the_sentinels_and_status_shows_each_live_role() {
    Map<String, String> vars = stack.env().variables();
    assertThat(vars.get("REDIS_URL")).startsWith("rediss-sentinel://app:").endsWith("/0#strata");
    assertThat(vars.get("REDIS_SENTINELS").split(",")).hasSize(3);
    assertThat(vars.get("REDIS_MASTER_NAME")).isEqualTo("strata");
    assertThat(HaStacks.details(stack, "redis-1")).containsEntry("role", "master");
    HaStacks.awaitDetails(
        stack, "redis-2", d -> "replica".equals(d.get("role")) && "up".equals(d.get("link")));
    assertThat(HaStacks.details(stack, "sentinel-2"))
        .containsEntry("role", "sentinel")
        .hasEntrySatisfying("master", m -> assertThat(m).startsWith("redis-1 "));
  }

  @Test
  @Order(2)
  void strata_redis_reads_its_writes_through_the_sentinel_url() {
    redis.sync().set("greeting", bytes("hello"));
    assertThat(new String(redis.sync().get("greeting"), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(redis.isCluster()).isFalse();
  }

  @Test
  @Order(3)
  void sentinels_answer_discovery_without_credentials_and_nothing_else() {
    StackEnv env = stack.env();
    String sentinel = env.redis().nodes().sentinels().get(0);
    List<String> cli =
        List.of(
            stack.tools().redisCli().toString(),
            "-h",
            sentinel.substring(0, sentinel.lastIndexOf(':')),
            "-p",
            sentinel.substring(sentinel.lastIndexOf(':') + 1),
            "--tls",
            "--cacert",
            env.redis().caFile().toString());
    Exec.Result discover =
        Exec.of(concat(cli, "SENTINEL", "get-master-addr-by-name", "strata")).run();
    assertThat(discover.output()).contains("127.0.0.1");
    Exec.Result failover = Exec.of(concat(cli, "SENTINEL", "failover", "strata")).run();
    assertThat(failover.output()).contains("NOPERM");
    // and the Redis nodes themselves have no default user: every client must log in
    List<String> node = new java.util.ArrayList<>(cli);
    node.set(4, Integer.toString(stack.topology().first(Kind.REDIS).port()));
    assertThat(Exec.of(concat(node, "PING")).run().output()).contains("NOAUTH");
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new java.util.ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  @Test
  @Order(4)
  void a_killed_master_is_replaced_the_url_works_again_and_it_rejoins_as_a_replica() {
    redis.sync().set("before", bytes("kept"));
    // the replica has it before the master dies: WAIT returns how many replicas acknowledged
    assertThat(redis.sync().waitForReplication(1, 5000)).isEqualTo(1L);

    HaStacks.kill9(HaStacks.pid(stack, "redis-1"));

    boolean promoted =
        Wait.until(
            () ->
                Sentinels.master(stack.context())
                    .flatMap(a -> Sentinels.node(stack.context(), a))
                    .filter(i -> i.id().equals("redis-2"))
                    .isPresent(),
            Duration.ofSeconds(60));
    assertThat(promoted).as("the Sentinels promote redis-2").isTrue();
    boolean writes =
        Wait.until(
            () -> {
              try {
                redis.sync().set("after", bytes("written"));
                return true;
              } catch (RuntimeException e) {
                return false;
              }
            },
            Duration.ofSeconds(60));
    assertThat(writes).as("the client that was open before the failover writes again").isTrue();
    assertThat(new String(redis.sync().get("before"), StandardCharsets.UTF_8)).isEqualTo("kept");
    assertThat(HaStacks.details(stack, "redis-2")).containsEntry("role", "master");

    stack.start("redis-1");
    HaStacks.awaitDetails(
        stack, "redis-1", d -> "replica".equals(d.get("role")) && "up".equals(d.get("link")));
    assertThat(HaStacks.details(stack, "redis-1").get("master")).startsWith("redis-2 ");
  }

  @Test
  @Order(5)
  void down_and_up_after_a_failover_keeps_the_promoted_master() {
    stack.down();
    stack.up();
    // the nodes start before the Sentinels: they follow the master the Sentinels recorded
    assertThat(HaStacks.details(stack, "redis-2")).containsEntry("role", "master");
    HaStacks.awaitDetails(
        stack, "redis-1", d -> "replica".equals(d.get("role")) && "up".equals(d.get("link")));
    assertThat(HaStacks.details(stack, "redis-1").get("master")).startsWith("redis-2 ");
    redis.sync().set("after-restart", bytes("ok"));
    assertThat(new String(redis.sync().get("before"), StandardCharsets.UTF_8)).isEqualTo("kept");
  }
}
