package dev.strata.ops.redis;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.RedisSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.ListenerFile;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Redis node, configured from strata.yaml (TLS with the stack's CA when {@code redis.tls} is on),
 * checked with the machine's redis-cli as the monitor user.
 */
public final class RedisServer implements Component {
  /** The address, port and TLS mode Redis was started with. */
  private static final String LISTENING = "listening";

  private final Instance instance;
  private final Path serverBinary;
  private final Path cliBinary;
  private final Path dir;
  private final RunAs runAs;
  private final String conf;
  private final String acl;
  private final RedisEndpoint monitor;
  private final RedisEndpoint admin;
  private final Map<String, String> liveSettings;
  private final String wantedListener;
  private final ComponentContext context;
  private final RedisConfig.Listener listener;
  private final RedisConfig.Replication replication;

  public RedisServer(ComponentContext context, Instance instance) {
    this.instance = instance;
    this.context = context;
    this.serverBinary = context.tools().redisServer();
    this.cliBinary = context.tools().redisCli();
    this.dir = context.folder(instance);
    this.runAs = context.runAs();
    boolean tls = StackEnvs.redisTls(context.spec());
    Path ca = tls ? context.dir().caFile() : null;
    this.listener =
        new RedisConfig.Listener(
            context.spec().security().bind(), instance.port(), tls ? context.tlsDir() : null);
    Secrets secrets = context.secrets();
    RedisSpec redis = context.spec().redis();
    boolean replicated = redis.sentinel() || redis.cluster();
    String replicaPassword =
        replicated ? secrets.get(StackEnvs.redisSecret(RedisConfig.REPLICA_USER)) : null;
    this.replication =
        new RedisConfig.Replication(
            null, 0, replicaPassword, redis.minReplicasToWrite(), redis.cluster());
    this.conf = RedisConfig.renderConf(redis, listener, dir, replication);
    this.liveSettings = RedisConfig.liveSettings(redis, listener, replication);
    // A running Redis is reached where it was started; a changed port waits for a restart.
    Instance reach = instance.withPort(livePort(dir).orElse(instance.port()));
    this.monitor = endpoint(reach, secrets, StackEnvs.REDIS_MONITOR_USER, tls, ca);
    this.admin = endpoint(reach, secrets, StackEnvs.REDIS_ADMIN_USER, tls, ca);
    this.wantedListener = listener.bind() + ":" + listener.port() + (tls ? " tls" : "");
    this.acl =
        RedisConfig.renderAcl(
            secrets.get(StackEnvs.redisSecret(StackEnvs.REDIS_APP_USER)),
            monitor.password(),
            admin.password(),
            replicaPassword,
            redis.sentinel()
                ? secrets.get(StackEnvs.redisSecret(RedisConfig.SENTINEL_USER))
                : null);
  }

  private static RedisEndpoint endpoint(
      Instance instance, Secrets secrets, String user, boolean tls, Path ca) {
    return new RedisEndpoint(
        instance.host(), instance.port(), user, secrets.get(StackEnvs.redisSecret(user)), tls, ca);
  }

  @Override
  public Instance instance() {
    return instance;
  }

  /** The port the running Redis of {@code folder} was started on; empty when it is not running. */
  public static Optional<Integer> livePort(Path folder) {
    return listenerFile(folder).port();
  }

  private static ListenerFile listenerFile(Path folder) {
    return new ListenerFile(
        folder.resolve(LISTENING), new PidFile(folder.resolve("redis.pid"), "redis-server"));
  }

  /** A changed bind address, port or TLS mode: Strata applies those with a restart. */
  @Override
  public List<String> pendingRestart() {
    return listenerFile(dir)
        .read()
        .filter(live -> !live.equals(wantedListener))
        .map(
            live ->
                List.of(
                    "bind:port (security.bind, redis.port, redis.tls): "
                        + live
                        + " -> "
                        + wantedListener))
        .orElse(List.of());
  }

  /**
   * A Sentinel-mode replica starts after the first node; the last cluster node after all others,
   * since its start forms the cluster.
   */
  @Override
  public List<String> dependsOn() {
    RedisSpec redis = context.spec().redis();
    List<Instance> nodes = context.topology().of(Kind.REDIS);
    if (redis.cluster() && instance.ordinal() == nodes.size()) {
      return nodes.stream().filter(i -> !i.id().equals(instance.id())).map(Instance::id).toList();
    }
    if (redis.sentinel() && instance.ordinal() > 1) {
      return List.of(nodes.get(0).id());
    }
    return List.of();
  }

  @Override
  public List<PortClaim> ports() {
    List<PortClaim> claims = new ArrayList<>(Component.super.ports());
    if (context.spec().redis().cluster()) {
      claims.add(
          new PortClaim(RedisConfig.busPort(instance.port()), "redis.port (its cluster bus port)"));
    }
    return claims;
  }

  @Override
  public Path log() {
    return dir.resolve("redis.log");
  }

  @Override
  public Optional<ProcessHandle> process() {
    return new PidFile(dir.resolve("redis.pid"), "redis-server").process();
  }

  private boolean confChanged;
  private boolean aclChanged;

  @Override
  public boolean render() {
    ConfigFiles.createDirectories(dir.resolve("data"));
    String rendered = conf;
    if (context.spec().redis().sentinel() && !running()) {
      rendered = RedisConfig.renderConf(context.spec().redis(), listener, dir, following());
    }
    confChanged = ConfigFiles.write(dir.resolve("redis.conf"), rendered, "rw-------");
    aclChanged = ConfigFiles.write(dir.resolve("users.acl"), acl, "rw-------");
    runAs.give(dir);
    return confChanged || aclChanged;
  }

  /**
   * The replication of a Sentinel-mode node about to start: a replica of the master the Sentinels
   * name now (redis-1 before they ever ran), or the master itself. A node that comes back after a
   * failover thus starts as a replica of the new master.
   */
  private RedisConfig.Replication following() {
    Instance first = context.topology().first(Kind.REDIS);
    String master = Sentinels.master(context).orElse(first.host() + ":" + first.port());
    Instance self = context.topology().instance(instance.id()).orElse(instance);
    if (master.equals(self.host() + ":" + self.port())) {
      return replication;
    }
    int colon = master.lastIndexOf(':');
    return new RedisConfig.Replication(
        master.substring(0, colon),
        Integer.parseInt(master.substring(colon + 1)),
        replication.replicaPassword(),
        replication.minReplicasToWrite(),
        false);
  }

  @Override
  public boolean start() {
    boolean started = startNode();
    if (context.spec().redis().cluster()
        && instance.ordinal() == context.topology().of(Kind.REDIS).size()) {
      new RedisClusterFormation(context).ensure();
    }
    return started;
  }

  private boolean startNode() {
    render();
    if (running()) {
      reload();
      return false;
    }
    long logStart = Logs.size(log());
    Exec.Result r = runAs.exec(serverBinary.toString(), dir.resolve("redis.conf").toString()).run();
    if (!r.ok() || !Wait.until(this::healthy, Duration.ofSeconds(30))) {
      String why = r.ok() ? "it does not answer PING" : r.describeFailure();
      stop();
      throw Logs.startFailure(
          "Redis", why, log(), logStart, "fix the cause above and run strata up again");
    }
    listenerFile(dir).write(wantedListener);
    return true;
  }

  /**
   * Applies the rendered files to the running server: {@code ACL LOAD} for users, {@code CONFIG
   * SET} for settings (Redis takes even its port and TLS listener live). A no-op when neither
   * changed since {@link #render()}.
   */
  @Override
  public void reload() {
    if (aclChanged) {
      checked(cli(admin, "ACL", "LOAD"));
    }
    if (confChanged) {
      List<String> args = new ArrayList<>(List.of("CONFIG", "SET"));
      liveSettings.forEach((key, value) -> args.addAll(List.of(key, value)));
      checked(cli(admin, args.toArray(String[]::new)));
    }
    aclChanged = false;
    confChanged = false;
  }

  /** Setting the certificate files again makes Redis read them anew. */
  @Override
  public void reloadTls() {
    if (monitor.tls()) {
      Path tls = monitor.caFile().getParent();
      checked(
          cli(
              admin,
              "CONFIG",
              "SET",
              "tls-cert-file",
              tls.resolve("server.crt").toString(),
              "tls-key-file",
              tls.resolve("server.key").toString()));
    }
  }

  @Override
  public boolean healthy() {
    return running() && cli(monitor, "PING").run().ok();
  }

  @Override
  public void stop() {
    // SIGTERM: Redis writes its RDB snapshot and fsyncs the AOF before it exits.
    new PidFile(dir.resolve("redis.pid"), "redis-server").terminate(Duration.ofSeconds(60));
  }

  @Override
  public Optional<String> version() {
    if (!running()) {
      return Optional.empty();
    }
    Exec.Result r = cli(monitor, "INFO", "server").run();
    return r.output()
        .lines()
        .filter(l -> l.startsWith("redis_version:"))
        .findFirst()
        .map(l -> l.substring(14).trim());
  }

  private Exec cli(RedisEndpoint user, String... args) {
    return RedisCli.as(cliBinary, user, args);
  }

  /**
   * The node's live role from {@code INFO replication}: {@code master} with its connected replicas,
   * or {@code replica} with the master it follows and whether the link is up.
   */
  @Override
  public Map<String, String> details() {
    Exec.Result r = cli(monitor, "INFO", "replication").run();
    if (!r.ok()) {
      return Map.of();
    }
    Map<String, String> info = RedisCli.info(r.output());
    Map<String, String> details = new LinkedHashMap<>();
    if ("master".equals(info.get("role"))) {
      details.put("role", "master");
      details.put("replicas", info.getOrDefault("connected_slaves", "0"));
    } else if ("slave".equals(info.get("role"))) {
      details.put("role", "replica");
      String master = info.get("master_host") + ":" + info.get("master_port");
      details.put(
          "master",
          Sentinels.node(context, master).map(i -> i.id() + " (" + master + ")").orElse(master));
      details.put("link", info.getOrDefault("master_link_status", "unknown"));
    }
    return details;
  }

  /** Runs a redis-cli command that changes the running server; its failure is Strata's error. */
  private static void checked(Exec exec) {
    Exec.Result r = exec.run();
    if (!r.ok()) {
      throw StrataException.failed(
          "Redis refused a configuration change: " + r.describeFailure(),
          "restart it to apply the change: strata down, then strata up",
          null);
    }
  }
}
