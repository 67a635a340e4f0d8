package dev.strata.ops.redis;

import dev.strata.core.env.RedisNodes;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.Exec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Asks a stack's Sentinels which node is the master now. */
public final class Sentinels {
  private Sentinels() {}

  /**
   * The {@code host:port} of the master as the first Sentinel that answers names it; empty when no
   * Sentinel runs (before the first start) or none knows the master.
   */
  public static Optional<String> master(ComponentContext context) {
    Path ca = StackEnvs.redisTls(context.spec()) ? context.dir().caFile() : null;
    for (Instance sentinel : context.topology().of(Kind.SENTINEL)) {
      if (sentinel.port() == 0) {
        continue;
      }
      Exec.Result r =
          RedisCli.anonymous(
                  context.tools().redisCli(),
                  sentinel.host(),
                  sentinel.port(),
                  ca,
                  "SENTINEL",
                  "get-master-addr-by-name",
                  RedisNodes.MASTER_NAME)
              .run();
      List<String> lines = r.output().lines().map(String::trim).toList();
      if (r.ok() && lines.size() == 2 && lines.get(1).matches("\\d+")) {
        return Optional.of(lines.get(0) + ":" + lines.get(1));
      }
    }
    return Optional.empty();
  }

  /** The Redis node of the stack listening at {@code hostPort}. */
  public static Optional<Instance> node(ComponentContext context, String hostPort) {
    return context.topology().of(Kind.REDIS).stream()
        .filter(i -> (i.host() + ":" + i.port()).equals(hostPort))
        .findFirst();
  }
}
