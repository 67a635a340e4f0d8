package dev.strata.ops.pgbouncer;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Server;
import dev.strata.ops.process.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * PgBouncer in front of PostgreSQL. Healthy means a real query through it as the app role, over TLS
 * with the CA verified: the path an application takes.
 */
public final class PgBouncerServer implements Server {
  private final StrataSpec spec;
  private final Path binary;
  private final Path dir;
  private final RunAs runAs;
  private final int port;
  private final String ini;
  private final Supplier<Map<String, String>> verifiers;
  private final Psql psql;
  private final Supplier<PgEndpoint> healthEndpoint;

  public PgBouncerServer(
      StrataSpec spec,
      Path binary,
      Path dir,
      RunAs runAs,
      int port,
      String ini,
      Supplier<Map<String, String>> verifiers,
      Psql psql,
      Supplier<PgEndpoint> healthEndpoint) {
    this.spec = spec;
    this.binary = binary;
    this.dir = dir;
    this.runAs = runAs;
    this.port = port;
    this.ini = ini;
    this.verifiers = verifiers;
    this.psql = psql;
    this.healthEndpoint = healthEndpoint;
  }

  @Override
  public Path log() {
    return dir.resolve("pgbouncer.log");
  }

  private Path iniFile() {
    return dir.resolve("pgbouncer.ini");
  }

  @Override
  public Optional<ProcessHandle> process() {
    return new PidFile(dir.resolve("pgbouncer.pid"), "pgbouncer").process();
  }

  @Override
  public String endpoint() {
    return spec.security().bind() + ":" + port;
  }

  @Override
  public boolean start() {
    ConfigFiles.createDirectories(dir);
    boolean changed = ConfigFiles.write(iniFile(), ini, "rw-------");
    changed |=
        ConfigFiles.write(
            dir.resolve("userlist.txt"),
            PgBouncerConfig.renderUserlist(verifiers.get()),
            "rw-------");
    runAs.give(dir);
    if (process().filter(p -> !PgBouncerBinary.runs(p, binary)).isPresent()) {
      stop(); // another PgBouncer (e.g. 1.18 before a newer one was built) would ignore the ini
    }
    if (running()) {
      if (changed) {
        Exec.of("kill", "-HUP", Long.toString(process().orElseThrow().pid())).check();
      }
      return false;
    }
    long logStart = Logs.size(log());
    Exec.Result r = runAs.exec(PgBouncerBinary.startCommand(binary, iniFile())).run();
    if (!r.ok() || !Wait.until(this::answers, Duration.ofSeconds(30))) {
      String why = r.ok() ? "it does not answer queries" : r.describeFailure();
      stop();
      throw Logs.startFailure(
          "PgBouncer", why, log(), logStart, "fix the cause above and run strata up again");
    }
    return true;
  }

  /** Whether a query as the app role through PgBouncer succeeds. */
  public boolean answers() {
    return running() && psql.through(healthEndpoint.get(), "SELECT 1").run().ok();
  }

  @Override
  public void stop() {
    new PidFile(dir.resolve("pgbouncer.pid"), "pgbouncer").terminate(Duration.ofSeconds(10));
  }

  @Override
  public Optional<String> version() {
    if (!running()) {
      return Optional.empty();
    }
    Path program = process().map(p -> PgBouncerBinary.program(p, binary)).orElse(binary);
    Exec.Result r = Exec.of(program.toString(), "--version").run();
    return r.output().lines().findFirst().map(l -> l.replace("PgBouncer ", "").trim());
  }
}
