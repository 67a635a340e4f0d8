package dev.strata.ops.redis;

import dev.strata.core.env.RedisNodes;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Asks a stack's Sentinels which node is the master now. */
public final class Sentinels {
  private Sentinels() {}

  /**
   * The {@code host:port} of the master as the first Sentinel that answers names it; when none
   * runs, the one they last recorded; empty before they ever ran.
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
    return recorded(context);
  }

  /**
   * The master the Sentinels last wrote to their sentinel.conf (the one with the newest config
   * epoch), for when none runs: a stack brought down and up again restarts its nodes before its
   * Sentinels, and they must follow the master of before, not redis-1.
   */
  static Optional<String> recorded(ComponentContext context) {
    String master = null;
    long newest = -1;
    for (Instance sentinel : context.topology().of(Kind.SENTINEL)) {
      Path conf = context.folder(sentinel).resolve("sentinel.conf");
      try {
        String monitor = null;
        long epoch = 0;
        for (String line : Files.readAllLines(conf)) {
          String[] w = line.trim().split("\\s+");
          if (w.length >= 5 && w[0].equals("sentinel") && w[1].equals("monitor")) {
            monitor = w[3] + ":" + w[4];
          } else if (w.length >= 4 && w[0].equals("sentinel") && w[1].equals("config-epoch")) {
            epoch = Long.parseLong(w[3]);
          }
        }
        if (monitor != null && epoch > newest) {
          master = monitor;
          newest = epoch;
        }
      } catch (IOException | NumberFormatException e) {
        // not written yet, or unreadable: the others may tell
      }
    }
    return Optional.ofNullable(master);
  }

  /** The Redis node of the stack listening at {@code hostPort}. */
  public static Optional<Instance> node(ComponentContext context, String hostPort) {
    return context.topology().of(Kind.REDIS).stream()
        .filter(i -> (i.host() + ":" + i.port()).equals(hostPort))
        .findFirst();
  }
}
