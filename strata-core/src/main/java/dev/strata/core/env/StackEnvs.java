package dev.strata.core.env;

import dev.strata.core.StrataException;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.StrataSpec;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /** The host clients connect to for a bind address: loopback for a wildcard bind. */
  public static String clientHost(String bind) {
    return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
  }

  /**
   * The env of {@code database} in the stack of {@code projectDir}.
   *
   * @throws StrataException if the stack was never brought up, or the database is not in the spec
   */
  public static StackEnv resolve(Path projectDir, StrataSpec spec, String database) {
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
    StackState state = StackState.load(dir.stateFile());
    Secrets secrets = Secrets.open(dir.secretsFile());
    String host = clientHost(spec.security().bind());
    Path ca = spec.security().tls() ? dir.caFile() : null;
    int pgPort = port(state, "postgres", spec.postgres().port());
    int poolerPort = port(state, "pooler", spec.pooler().port());
    int redisPort = port(state, "redis", spec.redis().port());
    String app = spec.security().appRole(database);
    String owner = spec.security().ownerRole(database);
    String readonly = spec.security().readonlyRole(database);
    PgEndpoint pooled =
        new PgEndpoint(
            host,
            poolerPort,
            database,
            app,
            secrets.require(postgresSecret(app)),
            ca,
            true,
            PooledPreparedStatements.kept(dir));
    PgEndpoint direct =
        new PgEndpoint(
            host, pgPort, database, owner, secrets.require(postgresSecret(owner)), ca, false);
    PgEndpoint readonlyEndpoint = pooled.as(readonly, secrets.require(postgresSecret(readonly)));
    RedisEndpoint redis =
        new RedisEndpoint(
            host, redisPort, REDIS_APP_USER, secrets.require(redisSecret(REDIS_APP_USER)), false);
    return new StackEnv(pooled, direct, readonlyEndpoint, redis, ca);
  }

  private static int port(StackState state, String component, int configured) {
    return configured != 0 ? configured : state.port(component).orElse(0);
  }
}
