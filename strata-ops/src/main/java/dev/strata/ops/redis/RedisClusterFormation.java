package dev.strata.ops.redis;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Forms the stack's Redis Cluster once every node runs, with {@code redis-cli --cluster create}
 * (which spreads the 16384 slots over the first {@code redis.masters} nodes and makes the rest
 * their replicas); a no-op once the nodes know each other.
 */
public final class RedisClusterFormation {
  private final ComponentContext context;
  private final Path cli;
  private final List<RedisEndpoint> nodes;

  public RedisClusterFormation(ComponentContext context) {
    this.context = context;
    this.cli = context.tools().redisCli();
    boolean tls = StackEnvs.redisTls(context.spec());
    String password = context.secrets().get(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER));
    Path ca = tls ? context.dir().caFile() : null;
    List<RedisEndpoint> all = new ArrayList<>();
    for (Instance i : context.topology().of(Kind.REDIS)) {
      all.add(new RedisEndpoint(i.host(), i.port(), StackEnvs.REDIS_ADMIN_USER, password, tls, ca));
    }
    this.nodes = List.copyOf(all);
  }

  /**
   * Creates the cluster unless its nodes already form one, then waits until every node reports
   * {@code cluster_state:ok}.
   *
   * @throws StrataException when some nodes hold slots but the cluster is not whole (a node's data
   *     folder from another cluster): Strata does not guess which slots to move
   */
  public void ensure() {
    Map<String, String> first = info(nodes.get(0));
    if (known(first) == nodes.size() && "ok".equals(first.get("cluster_state"))) {
      return;
    }
    for (RedisEndpoint node : nodes) {
      if (!"0".equals(info(node).get("cluster_slots_assigned"))) {
        throw StrataException.failed(
            "the Redis cluster is not whole: "
                + node.host()
                + ":"
                + node.port()
                + " already serves slots, but the nodes do not all know each other",
            "repair it with redis-cli --cluster fix, or start anew: strata down, remove the"
                + " .strata/redis* folders, strata up",
            null);
      }
    }
    List<String> command = new ArrayList<>(List.of("--cluster", "create"));
    nodes.forEach(n -> command.add(n.host() + ":" + n.port()));
    command.addAll(
        List.of(
            "--cluster-replicas",
            Integer.toString(context.spec().redis().replicasPerMaster()),
            "--cluster-yes"));
    Exec.Result created =
        RedisCli.as(cli, nodes.get(0), command.toArray(String[]::new))
            .timeout(Duration.ofSeconds(60))
            .run();
    if (!created.ok()) {
      throw StrataException.failed(
          "redis-cli --cluster create failed: " + created.describeFailure(),
          "read the nodes' logs (strata logs redis-1) and run strata up again",
          null);
    }
    boolean ok =
        Wait.until(
            () ->
                nodes.stream()
                    .map(this::info)
                    .allMatch(i -> "ok".equals(i.get("cluster_state")) && known(i) == nodes.size()),
            Duration.ofSeconds(60));
    // and every replica has its first copy of its master: until then it cannot take over
    ok =
        ok
            && Wait.until(
                () ->
                    nodes.stream()
                        .map(
                            n ->
                                RedisCli.info(
                                    RedisCli.as(cli, n, "INFO", "replication").run().output()))
                        .filter(i -> "slave".equals(i.get("role")))
                        .allMatch(i -> "up".equals(i.get("master_link_status"))),
                Duration.ofSeconds(60));
    if (!ok) {
      throw StrataException.failed(
          "the Redis cluster was created but not every node reports cluster_state:ok (and every"
              + " replica a link to its master) within 60 s",
          "read the nodes' logs (strata logs redis-1) and run strata up again",
          null);
    }
  }

  private Map<String, String> info(RedisEndpoint node) {
    return RedisCli.info(RedisCli.as(cli, node, "CLUSTER", "INFO").run().output());
  }

  private static int known(Map<String, String> info) {
    try {
      return Integer.parseInt(info.getOrDefault("cluster_known_nodes", "0").trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
