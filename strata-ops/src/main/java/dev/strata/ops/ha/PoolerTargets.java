package dev.strata.ops.ha;

import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.Exec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where PgBouncer's databases point in a highly available stack: each database at the leader, and
 * {@code <db>_read} (READ_DATABASE_URL) at a running replica. The file is included by pgbouncer.ini
 * and rewritten by the leader's Patroni callback on a failover ({@link LeaderCallback}: the same
 * format).
 */
public final class PoolerTargets {
  private PoolerTargets() {}

  /** The name PgBouncer gives the read-replica entry of {@code database}. */
  public static String readDatabase(String database) {
    return database + "_read";
  }

  /** PgBouncer's included databases file, in its folder. */
  public static Path databasesIni(Path poolerFolder) {
    return poolerFolder.resolve("databases.ini");
  }

  /** The line pgbouncer.ini has instead of a [databases] section. */
  public static String include(Path poolerFolder) {
    return "%include " + databasesIni(poolerFolder) + "\n";
  }

  /** The databases file for the leader and replica the live cluster reports. */
  public static String render(ComponentContext context, List<String> databases) {
    Instance leader = leader(context).orElse(context.topology().first(Kind.POSTGRES));
    Instance replica =
        replica(context, leader).or(() -> answeringStandby(context, leader)).orElse(leader);
    StringBuilder out =
        new StringBuilder("; Written by strata up: the current leader.\n[databases]\n");
    for (String db : databases) {
      out.append(line(db, context, leader, db));
      out.append(line(readDatabase(db), context, replica, db));
    }
    return out.toString();
  }

  private static String line(String name, ComponentContext context, Instance node, String db) {
    return name
        + " = host="
        + context.socketDir()
        + " port="
        + node.port()
        + " dbname="
        + db
        + "\n";
  }

  /** The node holding the leader key, asked of any node's REST API. */
  public static Optional<Instance> leader(ComponentContext context) {
    for (Instance node : context.topology().of(Kind.POSTGRES)) {
      Optional<String> name = rest(context, node).leader();
      if (name.isPresent()) {
        return context.topology().instance(name.get());
      }
    }
    return Optional.empty();
  }

  /**
   * The replica reads go to: a running (or streaming) one before one that is still starting (a
   * replica answers queries once it is consistent, before Patroni calls it running), the
   * synchronous standby first among equals.
   */
  private static Optional<Instance> replica(ComponentContext context, Instance leader) {
    return rest(context, leader)
        .cluster()
        .flatMap(
            c -> {
              Optional<Instance> best = Optional.empty();
              int bestRank = Integer.MAX_VALUE;
              for (var m : c.path("members")) {
                String role = m.path("role").asText();
                String state = m.path("state").asText();
                Optional<Instance> i = context.topology().instance(m.path("name").asText());
                if (i.isEmpty()
                    || i.get().id().equals(leader.id())
                    || !(role.equals("sync_standby") || role.equals("replica"))
                    || List.of("stopped", "crashed", "start failed").contains(state)) {
                  continue;
                }
                boolean running = state.equals("running") || state.equals("streaming");
                int rank = (running ? 0 : 2) + (role.equals("sync_standby") ? 0 : 1);
                if (rank < bestRank) {
                  best = i;
                  bestRank = rank;
                }
              }
              return best;
            });
  }

  /**
   * A node other than the leader whose PostgreSQL answers in recovery. Patroni lists a replica that
   * has just started only after its next loop; {@code strata up} renders this file right after the
   * replicas answer, and reads would otherwise go to the leader until the next failover.
   */
  private static Optional<Instance> answeringStandby(ComponentContext context, Instance leader) {
    Psql psql = new Psql(context.tools().pgBinDir());
    return context.topology().of(Kind.POSTGRES).stream()
        .filter(node -> !node.id().equals(leader.id()))
        .filter(
            node -> {
              Exec.Result r =
                  psql.superuser(
                          context.runAs(),
                          context.socketDir(),
                          node.port(),
                          "postgres",
                          "SELECT pg_is_in_recovery()")
                      .timeout(Duration.ofSeconds(5))
                      .run();
              return r.ok() && r.output().strip().equals("t");
            })
        .findFirst();
  }

  static PatroniRest rest(ComponentContext context, Instance node) {
    int port = new HaPorts(context.folder(node), context.spec().security().bind()).known("rest");
    return new PatroniRest(
        port, PatroniNode.REST_USER, context.secrets().get(PatroniNode.restSecret()));
  }
}
