package dev.strata.ops.postgres;

import dev.strata.core.StrataException;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One PostgreSQL node: a new cluster copied from the machine's template on first start (see {@link
 * ClusterTemplate}), postgresql.conf (with what the other components contribute) and pg_hba.conf
 * from strata.yaml, started and stopped with pg_ctl as the servers' OS user, roles and databases
 * bootstrapped.
 */
public final class PostgresServer implements Component {
  private final Instance instance;
  private final StrataSpec spec;
  private final Path binDir;
  private final Path dir;
  private final Path socketDir;
  private final Path tlsDir;
  private final RunAs runAs;
  private final int port;
  private final PostgresBootstrap bootstrap;
  private final Supplier<Map<String, String>> contributed;
  private volatile CompletableFuture<Void> durable;

  private static final Duration READY_POLL = Duration.ofMillis(5);

  /** Daemon threads: a pg_ctl still finishing after the server is ready never holds a JVM. */
  private static final Executor PG_CTL =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "strata-pg-ctl");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param contributed the merged settings every component of the stack contributes
   */
  public PostgresServer(
      ComponentContext context,
      Instance instance,
      PostgresBootstrap bootstrap,
      Supplier<Map<String, String>> contributed) {
    this.instance = instance;
    this.spec = context.spec();
    this.binDir = context.tools().pgBinDir();
    this.dir = context.folder(instance);
    this.socketDir = context.socketDir();
    this.tlsDir = context.tlsDir();
    this.runAs = context.runAs();
    this.port = instance.port();
    this.bootstrap = bootstrap;
    this.contributed = contributed;
  }

  @Override
  public Instance instance() {
    return instance;
  }

  @Override
  public List<String> dependsOn() {
    return List.of();
  }

  /** The preload libraries the listed extensions need, and pg_stat_statements' own settings. */
  @Override
  public Map<String, String> postgresSettings() {
    return PostgresConfig.extensionSettings(spec.postgres().extensions());
  }

  /** Every listed extension must be installed for this server's major version. */
  @Override
  public void preflight() {
    if (!spec.postgres().extensions().isEmpty()) { // pg_config is a program run: only when needed
      new Extensions(binDir).requireInstalled(spec.postgres().extensions());
    }
  }

  public Path dataDir() {
    return dir.resolve("data");
  }

  /** The data directory of the node in {@code folder}. */
  public static Path dataDir(Path folder) {
    return folder.resolve("data");
  }

  /**
   * The port the running postmaster of the node in {@code folder} listens on, read from its pid
   * file (line 4); empty when it is not running.
   */
  public static Optional<Integer> livePort(Path folder) {
    return pidFileLine(folder, 4).filter(l -> l.matches("\\d+")).map(Integer::valueOf);
  }

  private static Optional<String> pidFileLine(Path folder, int line) {
    Path pidFile = dataDir(folder).resolve("postmaster.pid");
    if (new PidFile(pidFile, "postgres").process().isEmpty()) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(pidFile);
      return lines.size() >= line ? Optional.of(lines.get(line - 1).trim()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public Path log() {
    return dir.resolve("postgres.log");
  }

  public Path socketDir() {
    return socketDir;
  }

  /** The port to reach the server on: the one it listens on when running, else the wanted one. */
  public int port() {
    return livePort(dir).orElse(port);
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
  public boolean start() {
    prepare();
    boolean changed = render();
    boolean started = false;
    if (!running()) {
      pgCtlStart();
      started = true;
    } else if (changed) {
      reload();
    }
    bootstrap.apply(this, runAs);
    awaitDurable();
    return started;
  }

  @Override
  public void reload() {
    runAs.exec(pgCtl(), "reload", "-s", "-D", dataDir().toString()).check();
  }

  @Override
  public boolean healthy() {
    return running()
        && psql().superuser(runAs, socketDir, port(), "postgres", "SELECT 1").run().ok();
  }

  /**
   * Creates the data directory with initdb on first use; a no-op after, so that slow first-run work
   * elsewhere (TLS keys, the other servers) overlaps with it.
   */
  @Override
  public void prepare() {
    prepareDirectories();
    if (!initialized()) {
      createCluster();
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

  /**
   * What the running server applies only after a restart: the port and listen address it was
   * started with (from its pid file) against strata.yaml's, and the settings PostgreSQL itself
   * marks {@code pending_restart} after a reload.
   */
  @Override
  public List<String> pendingRestart() {
    if (!running()) {
      return List.of();
    }
    List<String> pending = new ArrayList<>();
    Path folder = dir;
    livePort(folder)
        .filter(live -> live != port)
        .ifPresent(live -> pending.add("port (postgres.port): " + live + " -> " + port));
    pidFileLine(folder, 6)
        .filter(live -> !live.equals(spec.security().bind()))
        .ifPresent(
            live ->
                pending.add(
                    "listen_addresses (security.bind): " + live + " -> " + spec.security().bind()));
    for (String setting : pendingSettings()) {
      if (!setting.equals("port") && !setting.equals("listen_addresses")) {
        pending.add(setting + " (postgres.settings)");
      }
    }
    return pending;
  }

  private List<String> pendingSettings() {
    Exec.Result r =
        psql()
            .superuser(
                runAs,
                socketDir,
                port(),
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
        psql().superuser(runAs, socketDir, port(), "postgres", "SHOW server_version").run();
    return r.ok() ? Optional.of(r.output().trim().split(" ")[0]) : Optional.empty();
  }

  private void prepareDirectories() {
    ConfigFiles.createDirectories(dir);
    ConfigFiles.createDirectories(socketDir);
    runAs.give(dir);
    runAs.give(socketDir);
  }

  /**
   * The new cluster, copied from the machine's template for this PostgreSQL build (made by initdb
   * the first time). The copy's fsync runs while the server starts; {@link #start()} waits for it.
   */
  private void createCluster() {
    durable = template().createCluster(dataDir(), fsyncOn());
  }

  /** The template cache entry this node's cluster is (or would be) copied from. */
  public ClusterTemplate template() {
    return new ClusterTemplate(
        binDir,
        runAs,
        List.of(
            "-U",
            runAs.user(),
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
            "--data-checksums"));
  }

  /** Whether the cluster runs with fsync (a throwaway test stack may turn it off). */
  private boolean fsyncOn() {
    String fsync = spec.postgres().settings().getOrDefault("fsync", "on").trim().toLowerCase();
    return !List.of("off", "false", "no", "0").contains(fsync);
  }

  private void awaitDurable() {
    CompletableFuture<Void> pending = durable;
    if (pending == null) {
      return;
    }
    try {
      pending.join();
      durable = null;
    } catch (CompletionException e) {
      throw StrataException.failed(
          "the new cluster in "
              + dataDir()
              + " could not be written to disk: "
              + e.getCause().getMessage(),
          "check the disk (space, errors), run strata destroy --yes and strata up again",
          e.getCause());
    }
  }

  @Override
  public boolean render() {
    String conf =
        PostgresConfig.renderConf(
            PostgresConfig.settings(spec, port, socketDir, tlsDir, contributed.get()));
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

  /**
   * {@code pg_ctl start -w}, returning as soon as the postmaster reports itself ready in its pid
   * file: pg_ctl looks only every 100 ms. A failed start is still pg_ctl's to report (it sees the
   * postmaster exit); when the server is ready first, pg_ctl ends on its own at its next look.
   */
  private void pgCtlStart() {
    long logStart = Logs.size(log());
    long since = System.currentTimeMillis() / 1000;
    CompletableFuture<Exec.Result> pgCtl =
        CompletableFuture.supplyAsync(
            () ->
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
                    .run(),
            PG_CTL);
    while (!pgCtl.isDone()) {
      if (PostmasterStatus.ready(dataDir(), since)) {
        return;
      }
      LockSupport.parkNanos(READY_POLL.toNanos());
    }
    Exec.Result r = pgCtl.join();
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
