package dev.strata.ops.redis;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.core.topology.Instance;
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

  public RedisServer(ComponentContext context, Instance instance) {
    this.instance = instance;
    this.serverBinary = context.tools().redisServer();
    this.cliBinary = context.tools().redisCli();
    this.dir = context.folder(instance);
    this.runAs = context.runAs();
    boolean tls = StackEnvs.redisTls(context.spec());
    Path ca = tls ? context.dir().caFile() : null;
    RedisConfig.Listener listener =
        new RedisConfig.Listener(
            context.spec().security().bind(), instance.port(), tls ? context.tlsDir() : null);
    this.conf = RedisConfig.renderConf(context.spec().redis(), listener, dir);
    this.liveSettings = RedisConfig.liveSettings(context.spec().redis(), listener);
    Secrets secrets = context.secrets();
    // A running Redis is reached where it was started; a changed port waits for a restart.
    Instance reach = instance.withPort(livePort(dir).orElse(instance.port()));
    this.monitor = endpoint(reach, secrets, StackEnvs.REDIS_MONITOR_USER, tls, ca);
    this.admin = endpoint(reach, secrets, StackEnvs.REDIS_ADMIN_USER, tls, ca);
    this.wantedListener = listener.bind() + ":" + listener.port() + (tls ? " tls" : "");
    this.acl =
        RedisConfig.renderAcl(
            secrets.get(StackEnvs.redisSecret(StackEnvs.REDIS_APP_USER)),
            monitor.password(),
            admin.password());
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

  @Override
  public List<String> dependsOn() {
    return List.of();
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
    confChanged = ConfigFiles.write(dir.resolve("redis.conf"), conf, "rw-------");
    aclChanged = ConfigFiles.write(dir.resolve("users.acl"), acl, "rw-------");
    runAs.give(dir);
    return confChanged || aclChanged;
  }

  @Override
  public boolean start() {
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

  /** redis-cli as {@code user}; the password goes through the environment, never argv. */
  private Exec cli(RedisEndpoint user, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                cliBinary.toString(),
                "-h",
                user.host(),
                "-p",
                Integer.toString(user.port()),
                "--user",
                user.user(),
                "--no-auth-warning",
                "-e"));
    if (user.tls()) {
      command.addAll(List.of("--tls", "--cacert", user.caFile().toString()));
    }
    command.addAll(List.of(args));
    return Exec.of(command).env("REDISCLI_AUTH", user.password()).timeout(Duration.ofSeconds(10));
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
