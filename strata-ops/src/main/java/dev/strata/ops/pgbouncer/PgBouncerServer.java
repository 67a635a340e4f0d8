package dev.strata.ops.pgbouncer;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.ha.PoolerTargets;
import dev.strata.ops.postgres.Psql;
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
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * PgBouncer in front of the PostgreSQL primary (with {@code postgres.nodes > 1}, the Patroni leader
 * its callback points it at, and a replica for the read databases). Healthy means a real query
 * through it as the app role, over TLS with the CA verified: the path an application takes.
 */
public final class PgBouncerServer implements Component {
  /** The address and port PgBouncer was started with: a reload does not move its listener. */
  private static final String LISTENING = "listening";

  /**
   * The signal that stops PgBouncer: SIGINT, a safe shutdown (it stops listening and exits once the
   * transactions running finish). Since 1.23, SIGTERM waits for every client to disconnect, which
   * an application's pool or the exporter never does.
   */
  private static final String SHUTDOWN = "INT";

  private final Instance instance;
  private final StrataSpec spec;
  private final Path binary;
  private final Path dir;
  private final RunAs runAs;
  private final IntFunction<String> ini;
  private final PgBouncerProcesses processes;
  private final Supplier<Map<String, String>> verifiers;
  private final Psql psql;
  private final Supplier<PgEndpoint> healthEndpoint;
  private final List<String> postgresIds;
  private final boolean highlyAvailable;
  private final Supplier<String> databasesIni;
  private volatile PgEndpoint health;

  /**
   * @param verifiers every login role's SCRAM verifier, for the auth file
   * @param healthEndpoint the app role through this PgBouncer
   */
  public PgBouncerServer(
      ComponentContext context,
      Instance instance,
      Supplier<Map<String, String>> verifiers,
      Supplier<PgEndpoint> healthEndpoint) {
    this.instance = instance;
    this.spec = context.spec();
    this.binary = context.tools().pgbouncer();
    this.dir = context.folder(instance);
    this.runAs = context.runAs();
    Instance postgres = context.postgresPrimary();
    this.postgresIds = context.topology().of(Kind.POSTGRES).stream().map(Instance::id).toList();
    this.highlyAvailable = spec.postgres().highlyAvailable();
    this.databasesIni = () -> PoolerTargets.render(context, spec.postgres().databases());
    this.processes = PgBouncerProcesses.of(context);
    String databases =
        highlyAvailable
            ? PoolerTargets.include(dir)
            : PgBouncerConfig.databases(spec, context.socketDir(), postgres.port());
    this.ini =
        k ->
            PgBouncerConfig.renderIni(
                    spec, instance.port(), context.tlsDir(), databases, processes, k)
                + PgBouncerBinary.iniSettings(binary)
                // After a failed connect PgBouncer waits this long before the next (15 s by
                // default): a failover would keep clients waiting for that long after it is over.
                + (highlyAvailable ? "server_login_retry = 1\n" : "")
                + processes.peers(instance.port());
    this.verifiers = verifiers;
    this.psql = new Psql(context.tools().pgBinDir());
    this.healthEndpoint = healthEndpoint;
  }

  @Override
  public Instance instance() {
    return instance;
  }

  @Override
  public List<String> dependsOn() {
    return postgresIds;
  }

  /**
   * Its port, which must be free before it starts; none while one of its own processes runs (a
   * pooler missing a process is started beside the ones that hold the port).
   */
  @Override
  public List<PortClaim> ports() {
    boolean ownProcessRuns =
        processes.allPidFiles().stream().anyMatch(p -> p.process().isPresent());
    return ownProcessRuns ? List.of() : Component.super.ports();
  }

  /** The log of the first process; a pooler of several has one per process beside it. */
  @Override
  public Path log() {
    return processes.log(1);
  }

  /**
   * The first process, while every process the pooler was started with runs: one that is gone makes
   * the pooler not running, so that {@code up} and the agent start it again.
   */
  @Override
  public Optional<ProcessHandle> process() {
    Optional<ProcessHandle> first = processes.pid(1).process();
    if (first.isPresent()) {
      for (int k = 2; k <= liveCount().orElse(processes.count()); k++) {
        if (processes.pid(k).process().isEmpty()) {
          return Optional.empty();
        }
      }
    }
    return first;
  }

  /** How many processes the running pooler was started with, from its listener file. */
  private Optional<Integer> liveCount() {
    return listenerFile(dir)
        .read()
        .map(l -> l.contains(" x") ? Integer.parseInt(l.substring(l.indexOf(" x") + 2)) : 1);
  }

  /** The port the running PgBouncer of {@code folder} listens on; empty when it is not running. */
  public static Optional<Integer> livePort(Path folder) {
    return listenerFile(folder).port();
  }

  private static ListenerFile listenerFile(Path folder) {
    return new ListenerFile(
        folder.resolve(LISTENING), new PidFile(folder.resolve("pgbouncer.pid"), "pgbouncer"));
  }

  @Override
  public boolean render() {
    ConfigFiles.createDirectories(dir);
    boolean changed = false;
    for (int k = 1; k <= processes.count(); k++) {
      changed |= ConfigFiles.write(processes.ini(k), ini.apply(k), "rw-------");
    }
    processes.createSocketDirs();
    if (highlyAvailable) {
      // The leader as the cluster reports it now; its Patroni callback rewrites it on failover.
      changed |=
          ConfigFiles.write(PoolerTargets.databasesIni(dir), databasesIni.get(), "rw-------");
    }
    changed |=
        ConfigFiles.write(
            dir.resolve("userlist.txt"),
            PgBouncerConfig.renderUserlist(verifiers.get()),
            "rw-------");
    runAs.give(dir);
    processes.socketDirs().forEach(runAs::give);
    return changed;
  }

  @Override
  public boolean start() {
    boolean changed = render();
    if (processes.pid(1).process().filter(p -> !PgBouncerBinary.runs(p, binary)).isPresent()) {
      stop(); // another PgBouncer (e.g. 1.18 before a newer one was built) would ignore the ini
    }
    boolean firstRuns = processes.pid(1).process().isPresent();
    int live = liveCount().orElse(processes.count());
    if (firstRuns && (live == 1) != (processes.count() == 1)) {
      // One process and several differ in how the port is bound: pendingRestart says so, and the
      // pooler keeps running as it was started, every process of it, until then.
      if (changed) {
        reload();
      }
      return false;
    }
    stopProcessesPastCount();
    List<Integer> missing =
        processes.ordinals().filter(k -> processes.pid(k).process().isEmpty()).boxed().toList();
    if (firstRuns && (changed || !missing.isEmpty())) {
      reload(); // the running processes learn the new peers and settings
    }
    long logStart = Logs.size(log());
    for (int k : missing) {
      startProcess(k);
      if (k == 1) {
        listenerFile(dir).write(wantedListener()); // how it was started, before any health check
      }
    }
    if (firstRuns && live != processes.count()) {
      recordCount();
    }
    if (missing.isEmpty()) {
      return false;
    }
    if (!Wait.until(this::healthy, Duration.ofSeconds(30))) {
      stop();
      throw Logs.startFailure(
          "PgBouncer",
          "it does not answer queries",
          log(),
          logStart,
          "fix the cause above and run strata up again");
    }
    return !firstRuns;
  }

  /** Keeps the live address in the listener file and records the new process count. */
  private void recordCount() {
    listenerFile(dir)
        .read()
        .ifPresent(
            l ->
                listenerFile(dir)
                    .write(
                        l.split(" ")[0]
                            + (processes.count() == 1 ? "" : " x" + processes.count())));
  }

  private void startProcess(int k) {
    long logStart = Logs.size(processes.log(k));
    Exec.Result r = runAs.exec(PgBouncerBinary.startCommand(binary, processes.ini(k))).run();
    if (!r.ok()) {
      stop();
      throw Logs.startFailure(
          processes.count() == 1 ? "PgBouncer" : "PgBouncer process " + k,
          r.describeFailure(),
          processes.log(k),
          logStart,
          "fix the cause above and run strata up again");
    }
  }

  /** Stops the processes a larger {@code pooler.processes} left running. */
  private void stopProcessesPastCount() {
    List<PidFile> all = processes.allPidFiles();
    all.subList(Math.min(processes.count(), all.size()), all.size())
        .forEach(p -> p.terminate(SHUTDOWN, Duration.ofSeconds(10)));
  }

  @Override
  public void reload() {
    for (PidFile pid : processes.allPidFiles()) {
      pid.process().ifPresent(p -> Exec.of("kill", "-HUP", Long.toString(p.pid())).check());
    }
  }

  /** Whether a query as the app role through PgBouncer succeeds. */
  @Override
  public boolean healthy() {
    return running()
        && processes.ordinals().allMatch(k -> processes.pid(k).process().isPresent())
        && psql.through(healthEndpoint(), "SELECT 1").run().ok();
  }

  /**
   * The app role through this PgBouncer, resolved once: the health check polls, and resolving reads
   * the secrets file.
   */
  private PgEndpoint healthEndpoint() {
    PgEndpoint endpoint = health;
    if (endpoint == null) {
      endpoint = healthEndpoint.get();
      health = endpoint;
    }
    return endpoint;
  }

  /**
   * A changed listen address or port, or a change between one process and several (a process shares
   * the port only when it was started with {@code so_reuseport}): PgBouncer takes those only when
   * it starts.
   */
  @Override
  public List<String> pendingRestart() {
    List<String> pending = new ArrayList<>();
    Optional<String> live = listenerFile(dir).read();
    if (live.isEmpty()) {
      return pending;
    }
    String liveAddress = live.get().split(" ")[0];
    if (!liveAddress.equals(address())) {
      pending.add(
          "listen_addr:listen_port (security.bind, pooler.port): "
              + liveAddress
              + " -> "
              + address());
    }
    int liveCount = liveCount().orElse(1);
    if ((liveCount == 1) != (processes.count() == 1)) {
      pending.add("processes (pooler.processes): " + liveCount + " -> " + processes.count());
    }
    return pending;
  }

  /** The processes beside the first, when there are several. */
  @Override
  public Map<String, String> details() {
    if (processes.count() == 1 || !running()) {
      return Map.of();
    }
    return Map.of(
        "processes",
        processes.count()
            + " on one port, default_pool_size "
            + processes.poolSize(spec.pooler().defaultPoolSize())
            + " each");
  }

  private String address() {
    return spec.security().bind() + ":" + instance.port();
  }

  /** What the listener file records: the address, and the process count when there are several. */
  private String wantedListener() {
    return address() + (processes.count() == 1 ? "" : " x" + processes.count());
  }

  /** Stops every process, those a larger {@code pooler.processes} left too. */
  @Override
  public void stop() {
    processes.allPidFiles().forEach(p -> p.terminate(SHUTDOWN, Duration.ofSeconds(10)));
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
