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
import java.util.function.Supplier;

/**
 * PgBouncer in front of the PostgreSQL primary (with {@code postgres.nodes > 1}, the Patroni leader
 * its callback points it at, and a replica for the read databases). Healthy means a real query
 * through it as the app role, over TLS with the CA verified: the path an application takes.
 */
public final class PgBouncerServer implements Component {
  /** The address and port PgBouncer was started with: a reload does not move its listener. */
  private static final String LISTENING = "listening";

  private final Instance instance;
  private final StrataSpec spec;
  private final Path binary;
  private final Path dir;
  private final RunAs runAs;
  private final Supplier<String> ini;
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
    this.ini =
        () ->
            (highlyAvailable
                    ? PgBouncerConfig.renderIni(
                        spec, dir, instance.port(), context.tlsDir(), PoolerTargets.include(dir))
                    : PgBouncerConfig.renderIni(
                        spec,
                        dir,
                        instance.port(),
                        context.socketDir(),
                        postgres.port(),
                        context.tlsDir()))
                + PgBouncerBinary.iniSettings(binary)
                // After a failed connect PgBouncer waits this long before the next (15 s by
                // default): a failover would keep clients waiting for that long after it is over.
                + (highlyAvailable ? "server_login_retry = 1\n" : "");
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

  @Override
  public Path log() {
    return dir.resolve("pgbouncer.log");
  }

  private Path iniFile() {
    return dir.resolve("pgbouncer.ini");
  }

  private PidFile pidFile() {
    return new PidFile(dir.resolve("pgbouncer.pid"), "pgbouncer");
  }

  @Override
  public Optional<ProcessHandle> process() {
    return pidFile().process();
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
    boolean changed = ConfigFiles.write(iniFile(), ini.get(), "rw-------");
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
    return changed;
  }

  @Override
  public boolean start() {
    boolean changed = render();
    if (process().filter(p -> !PgBouncerBinary.runs(p, binary)).isPresent()) {
      stop(); // another PgBouncer (e.g. 1.18 before a newer one was built) would ignore the ini
    }
    if (running()) {
      if (changed) {
        reload();
      }
      return false;
    }
    long logStart = Logs.size(log());
    Exec.Result r = runAs.exec(PgBouncerBinary.startCommand(binary, iniFile())).run();
    if (!r.ok() || !Wait.until(this::healthy, Duration.ofSeconds(30))) {
      String why = r.ok() ? "it does not answer queries" : r.describeFailure();
      stop();
      throw Logs.startFailure(
          "PgBouncer", why, log(), logStart, "fix the cause above and run strata up again");
    }
    listenerFile(dir).write(wantedListener());
    return true;
  }

  @Override
  public void reload() {
    process().ifPresent(p -> Exec.of("kill", "-HUP", Long.toString(p.pid())).check());
  }

  /** Whether a query as the app role through PgBouncer succeeds. */
  @Override
  public boolean healthy() {
    return running() && psql.through(healthEndpoint(), "SELECT 1").run().ok();
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

  /** A changed listen address or port: PgBouncer takes those only when it starts. */
  @Override
  public List<String> pendingRestart() {
    List<String> pending = new ArrayList<>();
    listenerFile(dir)
        .read()
        .filter(live -> !live.equals(wantedListener()))
        .ifPresent(
            live ->
                pending.add(
                    "listen_addr:listen_port (security.bind, pooler.port): "
                        + live
                        + " -> "
                        + wantedListener()));
    return pending;
  }

  private String wantedListener() {
    return spec.security().bind() + ":" + instance.port();
  }

  @Override
  public void stop() {
    pidFile().terminate(Duration.ofSeconds(10));
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
