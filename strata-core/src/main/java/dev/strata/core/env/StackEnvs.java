package dev.strata.core.env;

import dev.strata.core.StrataException;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Works out a stack's {@link StackEnv} from its strata.yaml, its state and its secrets: what {@code
 * strata env} prints and what an application or test reads without starting anything.
 */
public final class StackEnvs {
  /** The Redis ACL user applications connect as. */
  public static final String REDIS_APP_USER = "app";

  /** The Redis ACL user monitoring connects as. */
  public static final String REDIS_MONITOR_USER = "monitor";

  /** The Redis ACL user Strata applies configuration changes as; never handed to applications. */
  public static final String REDIS_ADMIN_USER = "strata";

  private StackEnvs() {}

  /** The name under which the password of a PostgreSQL role is kept in the secrets file. */
  public static String postgresSecret(String role) {
    return "postgres/" + role;
  }

  /** The name under which the password of a Redis ACL user is kept in the secrets file. */
  public static String redisSecret(String user) {
    return "redis/" + user;
  }

  /**
   * The env of {@code database} in the stack of {@code projectDir}.
   *
   * @throws StrataException if the stack was never brought up, or the database is not in the spec
   */
  public static StackEnv resolve(Path projectDir, StrataSpec spec, String database) {
    StateDir dir = StateDir.of(projectDir);
    return resolve(
        projectDir,
        spec,
        Topology.resolve(spec, StackState.load(dir.stateFile()), Optional.empty()),
        database);
  }

  /**
   * The env of {@code database} in a topology already resolved (and read back from the live
   * servers) by the caller.
   *
   * @throws StrataException if the stack was never brought up, or the database is not in the spec
   */
  public static StackEnv resolve(
      Path projectDir, StrataSpec spec, Topology topology, String database) {
    if (!spec.postgres().databases().contains(database)) {
      throw StrataException.badInput(
          "no database '"
              + database
              + "' in strata.yaml (postgres.databases is "
              + spec.postgres().databases()
              + ")",
          "name one of those databases, or add it to postgres.databases and run `strata up`");
    }
    StateDir dir = StateDir.of(projectDir);
    if (!Files.exists(dir.secretsFile())) {
      throw StrataException.environment(
          "the stack in " + projectDir + " has not been brought up (no " + dir.secretsFile() + ")",
          "run `strata up` first");
    }
    Secrets secrets = Secrets.open(dir.secretsFile());
    Path ca = spec.security().tls() ? dir.caFile() : null;
    Instance postgres = leader(dir, spec, topology);
    Instance pooler = topology.first(Kind.POOLER);
    Instance redisMaster = topology.first(Kind.REDIS);
    String app = spec.security().appRole(database);
    String owner = spec.security().ownerRole(database);
    String readonly = spec.security().readonlyRole(database);
    PgEndpoint pooled =
        new PgEndpoint(
            pooler.host(),
            pooler.port(),
            database,
            app,
            secrets.require(postgresSecret(app)),
            ca,
            true,
            PooledPreparedStatements.kept(dir));
    PgEndpoint direct =
        new PgEndpoint(
            postgres.host(),
            postgres.port(),
            database,
            owner,
            secrets.require(postgresSecret(owner)),
            ca,
            false);
    PgEndpoint readonlyEndpoint = pooled.as(readonly, secrets.require(postgresSecret(readonly)));
    boolean redisTls = redisTls(spec);
    RedisEndpoint redis =
        new RedisEndpoint(
            redisMaster.host(),
            redisMaster.port(),
            REDIS_APP_USER,
            secrets.require(redisSecret(REDIS_APP_USER)),
            redisTls,
            redisTls ? dir.caFile() : null,
            redisNodes(spec, topology));
    String agentUrl = AgentAddress.running(dir).map(AgentAddress::url).orElse(null);
    StackEnv env =
        new StackEnv(pooled, direct, readonlyEndpoint, redis, ca)
            .withOperations(monitoringUrls(topology), agentUrl);
    if (!spec.postgres().highlyAvailable()) {
      return env;
    }
    // PgBouncer's <db>_read entry points at a replica (rewritten on failover).
    PgEndpoint read = pooled.database(database + "_read");
    List<String> hosts = topology.of(Kind.POSTGRES).stream().map(Instance::endpoint).toList();
    return env.withReplicas(read, hosts);
  }

  /** {@code PROMETHEUS_URL} and {@code ALERTMANAGER_URL}, for the instances the stack has. */
  public static java.util.Map<String, String> monitoringUrls(Topology topology) {
    java.util.Map<String, String> urls = new java.util.LinkedHashMap<>();
    if (!topology.of(Kind.PROMETHEUS).isEmpty()) {
      urls.put("PROMETHEUS_URL", "http://" + topology.first(Kind.PROMETHEUS).endpoint());
    }
    if (!topology.of(Kind.ALERTMANAGER).isEmpty()) {
      urls.put("ALERTMANAGER_URL", "http://" + topology.first(Kind.ALERTMANAGER).endpoint());
    }
    return urls;
  }

  /**
   * The PostgreSQL node direct connections go to: with several nodes the leader Patroni's callback
   * last recorded in {@code .strata/patroni/leader}, else (or with none recorded) the first node.
   */
  private static Instance leader(StateDir dir, StrataSpec spec, Topology topology) {
    if (spec.postgres().highlyAvailable()) {
      Path file = dir.component("patroni").resolve("leader");
      try {
        if (Files.isRegularFile(file)) {
          Optional<Instance> recorded =
              topology
                  .instance(Files.readString(file).trim())
                  .filter(i -> i.kind() == Kind.POSTGRES);
          if (recorded.isPresent()) {
            return recorded.get();
          }
        }
      } catch (java.io.IOException e) {
        // unreadable: the first node
      }
    }
    return topology.first(Kind.POSTGRES);
  }

  /** The Sentinels or cluster nodes of the stack's Redis mode. */
  public static RedisNodes redisNodes(StrataSpec spec, Topology topology) {
    if (spec.redis().sentinel()) {
      return RedisNodes.sentinel(
          topology.of(Kind.SENTINEL).stream().map(Instance::endpoint).toList());
    }
    if (spec.redis().cluster()) {
      return RedisNodes.cluster(topology.of(Kind.REDIS).stream().map(Instance::endpoint).toList());
    }
    return RedisNodes.SINGLE;
  }

  /** Whether the stack's Redis speaks TLS. */
  public static boolean redisTls(StrataSpec spec) {
    return spec.redis().tls();
  }
}
