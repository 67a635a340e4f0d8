package dev.strata.ops.redis;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Server;
import dev.strata.ops.process.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Redis, configured from strata.yaml, checked with the machine's redis-cli as the monitor user. */
public final class RedisServer implements Server {
  private final Path serverBinary;
  private final Path cliBinary;
  private final Path dir;
  private final RunAs runAs;
  private final String conf;
  private final String acl;
  private final RedisEndpoint monitor;
  private final RedisEndpoint admin;
  private final Map<String, String> liveSettings;

  public RedisServer(
      Path serverBinary,
      Path cliBinary,
      Path dir,
      RunAs runAs,
      String conf,
      Map<String, String> liveSettings,
      String acl,
      RedisEndpoint monitor,
      RedisEndpoint admin) {
    this.serverBinary = serverBinary;
    this.cliBinary = cliBinary;
    this.dir = dir;
    this.runAs = runAs;
    this.conf = conf;
    this.liveSettings = liveSettings;
    this.acl = acl;
    this.monitor = monitor;
    this.admin = admin;
  }

  @Override
  public Path log() {
    return dir.resolve("redis.log");
  }

  @Override
  public Optional<ProcessHandle> process() {
    return new PidFile(dir.resolve("redis.pid"), "redis-server").process();
  }

  @Override
  public String endpoint() {
    return monitor.host() + ":" + monitor.port();
  }

  @Override
  public boolean start() {
    ConfigFiles.createDirectories(dir.resolve("data"));
    boolean confChanged = ConfigFiles.write(dir.resolve("redis.conf"), conf, "rw-------");
    boolean aclChanged = ConfigFiles.write(dir.resolve("users.acl"), acl, "rw-------");
    runAs.give(dir);
    if (running()) {
      if (aclChanged) {
        checked(cli(admin, "ACL", "LOAD"));
      }
      if (confChanged) {
        List<String> args = new ArrayList<>(List.of("CONFIG", "SET"));
        liveSettings.forEach((key, value) -> args.addAll(List.of(key, value)));
        checked(cli(admin, args.toArray(String[]::new)));
      }
      return false;
    }
    long logStart = Logs.size(log());
    Exec.Result r = runAs.exec(serverBinary.toString(), dir.resolve("redis.conf").toString()).run();
    if (!r.ok() || !Wait.until(() -> cli(monitor, "PING").run().ok(), Duration.ofSeconds(30))) {
      String why = r.ok() ? "it does not answer PING" : r.describeFailure();
      stop();
      throw Logs.startFailure(
          "Redis", why, log(), logStart, "fix the cause above and run strata up again");
    }
    return true;
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
