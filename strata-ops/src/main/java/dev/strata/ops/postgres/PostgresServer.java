package dev.strata.ops.postgres;

import dev.strata.core.StrataException;
import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Server;
import dev.strata.ops.process.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One PostgreSQL server: initdb on first start, postgresql.conf and pg_hba.conf from strata.yaml,
 * started and stopped with pg_ctl as the servers' OS user, roles and databases bootstrapped.
 */
public final class PostgresServer implements Server {
  private final StrataSpec spec;
  private final Path binDir;
  private final Path dir;
  private final Path socketDir;
  private final Path tlsDir;
  private final RunAs runAs;
  private final int port;
  private final PostgresBootstrap bootstrap;

  public PostgresServer(
      StrataSpec spec,
      Path binDir,
      Path dir,
      Path socketDir,
      Path tlsDir,
      RunAs runAs,
      int port,
      PostgresBootstrap bootstrap) {
    this.spec = spec;
    this.binDir = binDir;
    this.dir = dir;
    this.socketDir = socketDir;
    this.tlsDir = tlsDir;
    this.runAs = runAs;
    this.port = port;
    this.bootstrap = bootstrap;
  }

  public Path dataDir() {
    return dir.resolve("data");
  }

  @Override
  public Path log() {
    return dir.resolve("postgres.log");
  }

  public Path socketDir() {
    return socketDir;
  }

  public int port() {
    return port;
  }

  /** Whether initdb has been run. */
  public boolean initialized() {
    return Files.exists(dataDir().resolve("PG_VERSION"));
  }

  @Override
  public Optional<ProcessHandle> process() {
    return new PidFile(dataDir().resolve("postmaster.pid"), "postgres").process();
  }

  @Override
  public String endpoint() {
    return spec.security().bind() + ":" + port;
  }

  @Override
  public boolean start() {
    initialize();
    boolean changed = writeConfig();
    boolean started = false;
    if (!running()) {
      pgCtlStart();
      started = true;
    } else if (changed) {
      runAs.exec(pgCtl(), "reload", "-s", "-D", dataDir().toString()).check();
    }
    bootstrap.apply(this, runAs);
    return started;
  }

  /**
   * Creates the data directory with initdb on first use; a no-op after. Separate from {@link
   * #start()} so that slow first-run work elsewhere (TLS keys) can overlap with it.
   */
  public void initialize() {
    prepareDirectories();
    if (!initialized()) {
      initdb();
    }
  }

  @Override
  public void stop() {
    Optional<ProcessHandle> postmaster = process();
    if (postmaster.isEmpty()) {
      return;
    }
    Exec.Result result =
        runAs
            .exec(pgCtl(), "stop", "-s", "-w", "-t", "60", "-m", "fast", "-D", dataDir().toString())
            .run();
    if (!result.ok() && running()) {
      throw StrataException.failed(
          "PostgreSQL did not stop: " + result.describeFailure(), "see " + log(), null);
    }
    // pg_ctl returns once the pid file is gone; the postmaster exits a moment later.
    Wait.until(() -> !PidFile.running(postmaster.get()), Duration.ofSeconds(10));
  }

  /** Settings changed in postgresql.conf that the running server applies only after a restart. */
  public List<String> pendingRestart() {
    if (!running()) {
      return List.of();
    }
    Exec.Result r =
        psql()
            .superuser(
                runAs,
                socketDir,
                port,
                "postgres",
                "SELECT name FROM pg_settings WHERE pending_restart")
            .run();
    return r.ok() ? r.output().lines().filter(l -> !l.isBlank()).toList() : List.of();
  }

  @Override
  public Optional<String> version() {
    if (!running()) {
      return Optional.empty();
    }
    Exec.Result r =
        new Psql(binDir).superuser(runAs, socketDir, port, "postgres", "SHOW server_version").run();
    return r.ok() ? Optional.of(r.output().trim().split(" ")[0]) : Optional.empty();
  }

  private void prepareDirectories() {
    ConfigFiles.createDirectories(dir);
    ConfigFiles.createDirectories(socketDir);
    runAs.give(dir);
    runAs.give(socketDir);
  }

  private void initdb() {
    Exec.Result r =
        runAs
            .exec(
                binDir.resolve("initdb").toString(),
                "-D",
                dataDir().toString(),
                "-U",
                runAs.user(),
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=peer",
                "--auth-host=scram-sha-256",
                "--data-checksums")
            .timeout(Duration.ofMinutes(5))
            .run();
    if (!r.ok()) {
      throw StrataException.failed(
          "initdb failed: " + r.describeFailure(),
          "fix the cause above, remove " + dataDir() + " and run strata up again",
          null);
    }
  }

  private boolean writeConfig() {
    String conf = PostgresConfig.renderConf(PostgresConfig.settings(spec, port, socketDir, tlsDir));
    boolean changed = ConfigFiles.write(dataDir().resolve("postgresql.conf"), conf, "rw-------");
    changed |=
        ConfigFiles.write(
            dataDir().resolve("pg_hba.conf"),
            PostgresConfig.renderHba(spec, runAs.user()),
            "rw-------");
    runAs.give(dataDir().resolve("postgresql.conf"));
    runAs.give(dataDir().resolve("pg_hba.conf"));
    return changed;
  }

  private void pgCtlStart() {
    long logStart = Logs.size(log());
    Exec.Result r =
        runAs
            .exec(
                pgCtl(),
                "start",
                "-s",
                "-w",
                "-t",
                "60",
                "-D",
                dataDir().toString(),
                "-l",
                log().toString())
            .timeout(Duration.ofSeconds(90))
            .run();
    if (!r.ok()) {
      throw Logs.startFailure(
          "PostgreSQL",
          "",
          log(),
          logStart,
          "fix the setting or cause named above (postgres.settings in strata.yaml?) and run strata up again");
    }
  }

  private String pgCtl() {
    return binDir.resolve("pg_ctl").toString();
  }

  Psql psql() {
    return new Psql(binDir);
  }
}
