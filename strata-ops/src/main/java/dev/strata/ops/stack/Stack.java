package dev.strata.ops.stack;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.env.StackState;
import dev.strata.core.env.StateDir;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import dev.strata.ops.backup.PgBackRest;
import dev.strata.ops.backup.Restores;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.component.Tools;
import dev.strata.ops.ha.PatroniNode;
import dev.strata.ops.postgres.Extensions;
import dev.strata.ops.postgres.PostgresServer;
import dev.strata.ops.process.Ports;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.redis.Sentinels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * One stack: the instances strata.yaml describes, in the {@code .strata/} folder beside it, run as
 * {@link Component}s. {@code up} starts what is not running in dependency order (independent ones
 * in parallel), waits until each is healthy, and on any failure stops every component whose start
 * it attempted. {@code down} stops them in reverse order. Both are idempotent; data is never
 * deleted but by {@link #destroy()}.
 */
public final class Stack {
  private final Path projectDir;
  private final StrataSpec spec;
  private final StateDir dir;
  private final Consumer<String> progress;

  public Stack(Path projectDir, StrataSpec spec, Consumer<String> progress) {
    this.projectDir = projectDir.toAbsolutePath().normalize();
    this.spec = spec;
    this.dir = StateDir.of(this.projectDir);
    this.progress = progress;
  }

  public StrataSpec spec() {
    return spec;
  }

  public Path projectDir() {
    return projectDir;
  }

  public StateDir stateDir() {
    return dir;
  }

  /** Whether {@code strata up} ever ran here. */
  public boolean created() {
    return Files.exists(dir.secretsFile());
  }

  /** Brings the stack up, leaving changes that need a restart pending (and saying so). */
  public List<ComponentStatus> up() {
    return up(false);
  }

  /**
   * Brings the stack up and returns its status.
   *
   * @param restart whether to restart the running servers whose changed settings (a port, the bind
   *     address) they take only when they start
   * @throws StrataException when a server cannot start; every component this call attempted to
   *     start is stopped again
   */
  public List<ComponentStatus> up(boolean restart) {
    return up(restart, true);
  }

  /**
   * Brings the stack up as {@link #up()} does, without the round of status queries (versions,
   * details: a psql, redis-cli or --version run per server) whose result it would return: for a
   * caller that shows none, such as a test stack. When a server was running before, the round still
   * runs, to report the changes that wait for its restart; a server this call starts runs its files
   * as rendered, so it has none.
   *
   * @throws StrataException as {@link #up()}
   */
  public void upWithoutStatus() {
    up(false, false);
  }

  private List<ComponentStatus> up(boolean restart, boolean withStatus) {
    // Programs first: a machine without them must not be left with a half-made state folder.
    Tools tools = tools(true);
    if (!spec.postgres().extensions().isEmpty()) {
      new Extensions(tools.pgBinDir()).installMissing(spec.postgres().extensions());
    }
    PgBackRest.requireProgram(spec, true);
    if (spec.monitoring().enabled()) {
      dev.strata.ops.monitor.MonitoringBinaries.require(true);
    }
    if (spec.postgres().highlyAvailable()) {
      PatroniNode.requirePrograms(true);
    }
    try (StackLock lock = StackLock.acquire(dir)) {
      StackFiles.createStateDir(dir);
      RunAs runAs = runAs();
      runAs.checkReachable(dir.root());
      StackPlan plan = plan(tools, runAs, true);
      boolean ranBefore = plan.components().stream().anyMatch(Component::running);
      new StackExecutor(plan, progress).up();
      if (!withStatus && !ranBefore) {
        return List.of();
      }
      // One round of status queries (run in parallel) also answers which changes wait for a
      // restart: asking each server twice cost a psql run per server on every up.
      List<ComponentStatus> status = status(plan);
      List<ComponentStatus> pending =
          status.stream().filter(s -> !s.pendingRestart().isEmpty()).toList();
      if (!pending.isEmpty() && restart) {
        StackPlan before = plan;
        new StackExecutor(plan, progress)
            .stop(pending.stream().map(s -> before.component(s.instance().id())).toList());
        plan = plan(tools, runAs, true);
        new StackExecutor(plan, progress).up();
        status = status(plan);
      } else {
        pending.forEach(this::reportPendingRestart);
      }
      return status;
    }
  }

  private void reportPendingRestart(ComponentStatus s) {
    progress.accept(
        s.instance().id()
            + " takes these changes only when it restarts: "
            + String.join("; ", s.pendingRestart())
            + ". It keeps running as before; apply them with `strata up --restart`");
  }

  /** Stops every server, dependents first; data is kept. */
  public void down() {
    if (!created()) {
      return;
    }
    try (StackLock lock = StackLock.acquire(dir)) {
      StackPlan plan = plan(tools(false), runAs(), false);
      Restores.stopAll(plan.context());
      new StackExecutor(plan, progress).stop(plan.components());
      PgBackRest.stopAsync(plan.context());
    }
  }

  /** Stops the stack and deletes its state folder: every database, key and secret. */
  public void destroy() {
    down();
    Path socketDir = socketDir();
    StackFiles.deleteTree(dir.root());
    if (!socketDir.startsWith(dir.root())) {
      StackFiles.deleteTree(socketDir);
    }
  }

  /**
   * What the stack's components are built from, with the live topology: for the engines that run
   * beside the servers rather than as one (pgBackRest).
   */
  public ComponentContext context() {
    requireCreated();
    return plan(tools(false), runAs(), false).context();
  }

  /** Starts the first instance of a kind (its dependencies must run); for tests. */
  public void start(Kind kind) {
    start(topology(false).first(kind).id());
  }

  /** Starts one instance by id ({@code redis-1}); its dependencies must run. */
  public void start(String id) {
    try (StackLock lock = StackLock.acquire(dir)) {
      StackPlan plan = plan(tools(false), runAs(), false);
      new StackExecutor(plan, progress).start(plan.component(id));
    }
  }

  /** Stops the first instance of a kind. */
  public void stop(Kind kind) {
    stop(topology(false).first(kind).id());
  }

  /** Stops one instance by id. */
  public void stop(String id) {
    try (StackLock lock = StackLock.acquire(dir)) {
      plan(tools(false), runAs(), false).component(id).stop();
    }
  }

  /**
   * Each instance's live process (empty when it is not running), by id in the topology's order,
   * read from pid files only — no server is asked anything: what a supervisor polls.
   */
  public Map<String, Optional<ProcessHandle>> processes() {
    if (!created()) {
      return Map.of();
    }
    Map<String, Optional<ProcessHandle>> processes = new java.util.LinkedHashMap<>();
    plan(tools(false), runAs(), false)
        .components()
        .forEach(c -> processes.put(c.id(), c.process()));
    return processes;
  }

  /** Each instance's role, state, endpoint, version and pid, read from the live servers. */
  public List<ComponentStatus> status() {
    if (!created()) {
      return topology(false).instances().stream()
          .map(
              i ->
                  new ComponentStatus(
                      i, "not created", Optional.empty(), Optional.empty(), List.of(), Map.of()))
          .toList();
    }
    return status(plan(tools(false), runAs(), false));
  }

  private List<ComponentStatus> status(StackPlan plan) {
    Topology live = plan.context().topology();
    return StackExecutor.inParallel(
        plan.components(),
        c -> {
          Optional<ProcessHandle> p = c.process();
          return new ComponentStatus(
              live.instance(c.id()).orElseThrow(),
              p.isPresent() ? "running" : "stopped",
              c.version(),
              p.map(ProcessHandle::pid),
              c.pendingRestart(),
              p.isPresent() ? c.details() : Map.of());
        });
  }

  /**
   * The log file of an instance, named by its id ({@code postgres-1}) or its kind ({@code redis},
   * {@code pgbouncer}: the first instance).
   */
  public Path log(String name) {
    Topology topology = topology(false);
    Instance instance =
        topology
            .instance(name)
            .or(() -> Kind.named(name).filter(k -> !topology.of(k).isEmpty()).map(topology::first))
            .orElseThrow(() -> unknownInstance(name, topology));
    Path folder = dir.component(instance.folder());
    return switch (instance.kind()) {
      case POSTGRES -> folder.resolve("postgres.log");
      case POOLER -> folder.resolve("pgbouncer.log");
      case REDIS -> folder.resolve("redis.log");
      default -> folder.resolve(instance.kind().key() + ".log");
    };
  }

  private static StrataException unknownInstance(String name, Topology topology) {
    return StrataException.badInput(
        "no instance or kind named '" + name + "' in this stack",
        "name one of "
            + topology.instances().stream().map(Instance::id).collect(Collectors.joining(", "))
            + ", or a kind: postgres, pooler, redis"
            + (topology.of(Kind.SENTINEL).isEmpty() ? "" : ", sentinel"));
  }

  /** What applications need to reach {@code database}, at the ports the servers listen on. */
  public StackEnv env(String database) {
    return StackEnvs.resolve(projectDir, spec, topology(false), database);
  }

  /** The env of the first database. */
  public StackEnv env() {
    return env(spec.postgres().primaryDatabase());
  }

  /**
   * The resolved stack: every instance, with the port its live server really listens on (which
   * differs from strata.yaml's until a changed port is applied by a restart).
   */
  public Topology topology() {
    return topology(false);
  }

  /** The machine's programs this stack runs (never installs: only {@code up} does). */
  public Tools tools() {
    return tools(false);
  }

  private Tools tools(boolean install) {
    Path postgresFolder = dir.component(Kind.POSTGRES.folder());
    return Tools.find(
        spec.postgres().binDir(), PostgresServer.dataDir(postgresFolder), install, progress);
  }

  /**
   * The psql command line that connects to {@code database} as the superuser: over the local socket
   * and as the servers' OS user, the only way the superuser may log in.
   */
  public List<String> superuserPsql(String database) {
    requireCreated();
    RunAs runAs = runAs();
    // With several nodes, the leader (as Patroni's callback recorded it), not the first node.
    int port =
        spec.postgres().highlyAvailable()
            ? context().postgresPrimary().port()
            : topology(false).first(Kind.POSTGRES).port();
    return runAs.wrap(
        List.of(
            tools().pgBinDir().resolve("psql").toString(),
            "-h",
            socketDir().toString(),
            "-p",
            Integer.toString(port),
            "-U",
            runAs.user(),
            "-d",
            database));
  }

  /** Redis as one of its ACL users: {@code app} or {@code monitor}. */
  public RedisEndpoint redisEndpoint(String user) {
    if (!user.equals(StackEnvs.REDIS_APP_USER) && !user.equals(StackEnvs.REDIS_MONITOR_USER)) {
      throw StrataException.badInput(
          "no Redis user '" + user + "'",
          "use " + StackEnvs.REDIS_APP_USER + " or " + StackEnvs.REDIS_MONITOR_USER);
    }
    RedisEndpoint app = env().redis();
    if (spec.redis().sentinel()) {
      // the master is whichever node the Sentinels name now, not necessarily redis-1
      Optional<String> master = Sentinels.master(context());
      if (master.isPresent()) {
        String hostPort = master.get();
        int colon = hostPort.lastIndexOf(':');
        app =
            new RedisEndpoint(
                hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)),
                app.user(),
                app.password(),
                app.tls(),
                app.caFile(),
                app.nodes());
      }
    }
    return user.equals(app.user())
        ? app
        : app.as(user, Secrets.open(dir.secretsFile()).require(StackEnvs.redisSecret(user)));
  }

  private void requireCreated() {
    if (!created()) {
      throw StrataException.environment(
          "the stack in " + projectDir + " has not been brought up", "run `strata up` first");
    }
  }

  private RunAs runAs() {
    return RunAs.forCurrentProcess(spec.security().runAs());
  }

  /**
   * The resolved topology, read back from the live servers.
   *
   * @param pick whether port-0 instances without a remembered port get a free one (only {@code up})
   */
  private Topology topology(boolean pick) {
    Optional<IntSupplier> freePort =
        pick ? Optional.of(() -> Ports.free(spec.security().bind())) : Optional.empty();
    Topology wanted = Topology.resolve(spec, StackState.load(dir.stateFile()), freePort);
    Topology live = wanted;
    for (Instance i : wanted.instances()) {
      Optional<Integer> port = StackPlan.livePort(i, dir.component(i.folder()));
      if (port.isPresent() && port.get() != i.port()) {
        live = live.withLivePort(i.id(), port.get());
      }
    }
    return live;
  }

  /**
   * The components of this stack. Each is built for its wanted instance (the port in strata.yaml,
   * which it renders into its files) in a context whose topology is the live one (where the others
   * really listen, which is what it connects to).
   */
  private StackPlan plan(Tools tools, RunAs runAs, boolean forUp) {
    Optional<IntSupplier> freePort =
        forUp ? Optional.of(() -> Ports.free(spec.security().bind())) : Optional.empty();
    Topology wanted = Topology.resolve(spec, StackState.load(dir.stateFile()), freePort);
    ComponentContext context =
        new ComponentContext(
            spec, topology(false), dir, tools, runAs, Secrets.open(dir.secretsFile()), socketDir());
    return new StackPlan(context, wanted);
  }

  /** Every listed port must be free unless its own component already runs. */
  static void requirePortsFree(String bind, List<Component> components) {
    for (Component c : components) {
      if (!c.running()) {
        for (Component.PortClaim claim : c.ports()) {
          Ports.requireFree(bind, claim.port(), c.instance().kind().displayName(), claim.key());
        }
      }
    }
  }

  private Path socketDir() {
    return StackFiles.socketDir(dir);
  }
}
