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

  public RedisServer(
      Path serverBinary,
      Path cliBinary,
      Path dir,
      RunAs runAs,
      String conf,
      String acl,
      RedisEndpoint monitor) {
    this.serverBinary = serverBinary;
    this.cliBinary = cliBinary;
    this.dir = dir;
    this.runAs = runAs;
    this.conf = conf;
    this.acl = acl;
    this.monitor = monitor;
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
    ConfigFiles.write(dir.resolve("redis.conf"), conf, "rw-------");
    boolean aclChanged = ConfigFiles.write(dir.resolve("users.acl"), acl, "rw-------");
    runAs.give(dir);
    if (running()) {
      if (aclChanged) {
        Exec.of("kill", "-HUP", Long.toString(process().orElseThrow().pid())).run();
      }
      return false;
    }
    long logStart = Logs.size(log());
    Exec.Result r = runAs.exec(serverBinary.toString(), dir.resolve("redis.conf").toString()).run();
    if (!r.ok() || !Wait.until(() -> cli("PING").run().ok(), Duration.ofSeconds(30))) {
      String why = r.ok() ? "it does not answer PING" : r.describeFailure();
      stop();
      throw StrataException.failed(
          "Redis did not start: "
              + why
              + "\n  end of "
              + log()
              + ":\n"
              + Logs.indent(Logs.lastLines(Logs.since(log(), logStart), 10)),
          "fix the cause above and run strata up again",
          null);
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
    Exec.Result r = cli("INFO", "server").run();
    return r.output()
        .lines()
        .filter(l -> l.startsWith("redis_version:"))
        .findFirst()
        .map(l -> l.substring(14).trim());
  }

  /** redis-cli as the monitor user; the password goes through the environment. */
  private Exec cli(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                cliBinary.toString(),
                "-h",
                monitor.host(),
                "-p",
                Integer.toString(monitor.port()),
                "--user",
                monitor.user(),
                "--no-auth-warning",
                "-e"));
    command.addAll(List.of(args));
    return Exec.of(command)
        .env("REDISCLI_AUTH", monitor.password())
        .timeout(Duration.ofSeconds(10));
  }
}
