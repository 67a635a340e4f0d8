package dev.strata.ops.stack;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.env.StackState;
import dev.strata.core.env.StateDir;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.pgbouncer.PgBouncerBinary;
import dev.strata.ops.pgbouncer.PgBouncerConfig;
import dev.strata.ops.pgbouncer.PgBouncerServer;
import dev.strata.ops.postgres.PostgresBootstrap;
import dev.strata.ops.postgres.PostgresServer;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.Ports;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Server;
import dev.strata.ops.redis.RedisConfig;
import dev.strata.ops.redis.RedisServer;
import dev.strata.ops.tls.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * One stack: the servers strata.yaml describes, in the {@code .strata/} folder beside it. {@code
 * up} starts what is not running (PostgreSQL and Redis in parallel, then PgBouncer), waits until
 * each answers, and on any failure stops what that attempt started. {@code down} stops them in
 * reverse order. Both are idempotent; data is never deleted but by {@link #destroy()}.
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

  /**
   * Brings the stack up and returns its status.
   *
   * @throws StrataException when a server cannot start; whatever this call started is stopped
   */
  public List<ComponentStatus> up() {
    // Programs first: a machine without them must not be left with a half-made state folder.
    Tools tools = Tools.find(spec.postgres().binDir(), progress);
    try (StackLock lock = StackLock.acquire(dir)) {
      Servers servers = servers(tools, true);
      requirePortsFree(servers);
      List<Server> started = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newCachedThreadPool();
      // Redis needs nothing else; TLS keys and SCRAM verifiers overlap with initdb.
      CompletableFuture<Void> redis =
          CompletableFuture.runAsync(() -> start(servers.redis(), Component.REDIS, started), pool);
      CompletableFuture<Void> tls = CompletableFuture.runAsync(servers::prepareTls, pool);
      CompletableFuture<Void> verifiers =
          CompletableFuture.runAsync(servers::deriveVerifiers, pool);
      try {
        servers.postgres().initialize();
        tls.join();
        verifiers.join();
        start(servers.postgres(), Component.POSTGRES, started);
        start(servers.pooler(), Component.POOLER, started);
        redis.join();
        List<String> pending = servers.postgres().pendingRestart();
        if (!pending.isEmpty()) {
          progress.accept(
              "PostgreSQL applies "
                  + String.join(", ", pending)
                  + " only after a restart: run strata down, then strata up");
        }
      } catch (RuntimeException e) {
        List.of(redis, tls, verifiers).forEach(Stack::awaitQuietly);
        rollBack(started);
        throw unwrap(e);
      } finally {
        pool.shutdown();
      }
      return status(servers);
    }
  }

  /** Stops every server, PgBouncer first; data is kept. */
  public void down() {
    if (!created()) {
      return;
    }
    try (StackLock lock = StackLock.acquire(dir)) {
      Servers servers = servers(false);
      for (Component c : List.of(Component.POOLER, Component.REDIS, Component.POSTGRES)) {
        Server s = servers.get(c);
        if (s.running()) {
          progress.accept("stopping " + c.displayName());
          s.stop();
        }
      }
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

  /** Starts one server (its dependencies must run); for tests and {@code strata up}. */
  public void start(Component component) {
    try (StackLock lock = StackLock.acquire(dir)) {
      Servers servers = servers(true);
      if (component == Component.POSTGRES) {
        servers.prepareTls();
      }
      servers.get(component).start();
    }
  }

  /** Stops one server. */
  public void stop(Component component) {
    try (StackLock lock = StackLock.acquire(dir)) {
      servers(false).get(component).stop();
    }
  }

  /** Each server's state, endpoint, version and pid. */
  public List<ComponentStatus> status() {
    if (!created()) {
      return List.of(Component.values()).stream()
          .map(c -> new ComponentStatus(c, "-", "not created", Optional.empty(), Optional.empty()))
          .toList();
    }
    return status(servers(false));
  }

  /** The log file of one server. */
  public Path log(Component component) {
    return switch (component) {
      case POSTGRES -> dir.component("postgres").resolve("postgres.log");
      case POOLER -> dir.component("pgbouncer").resolve("pgbouncer.log");
      case REDIS -> dir.component("redis").resolve("redis.log");
    };
  }

  /** What applications need to reach {@code database}. */
  public StackEnv env(String database) {
    return StackEnvs.resolve(projectDir, spec, database);
  }

  /** The env of the first database. */
  public StackEnv env() {
    return env(spec.postgres().primaryDatabase());
  }

  /** The machine's programs this stack runs. */
  public Tools tools() {
    return Tools.find(spec.postgres().binDir());
  }

  /**
   * The psql command line that connects to {@code database} as the superuser: over the local socket
   * and as the servers' OS user, the only way the superuser may log in.
   */
  public List<String> superuserPsql(String database) {
    requireCreated();
    RunAs runAs = RunAs.forCurrentProcess(spec.security().runAs());
    int port = ports(StackState.load(dir.stateFile()), false).get(Component.POSTGRES);
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
    return user.equals(app.user())
        ? app
        : new RedisEndpoint(
            app.host(),
            app.port(),
            user,
            Secrets.open(dir.secretsFile()).require(StackEnvs.redisSecret(user)),
            app.tls());
  }

  private void requireCreated() {
    if (!created()) {
      throw StrataException.environment(
          "the stack in " + projectDir + " has not been brought up", "run `strata up` first");
    }
  }

  private List<ComponentStatus> status(Servers servers) {
    ExecutorService pool = Executors.newFixedThreadPool(Component.values().length);
    try {
      List<CompletableFuture<ComponentStatus>> rows = new ArrayList<>();
      for (Component c : Component.values()) {
        Server s = servers.get(c);
        rows.add(
            CompletableFuture.supplyAsync(
                () -> {
                  Optional<ProcessHandle> p = s.process();
                  return new ComponentStatus(
                      c,
                      s.endpoint(),
                      p.isPresent() ? "running" : "stopped",
                      s.version(),
                      p.map(ProcessHandle::pid));
                },
                pool));
      }
      return rows.stream().map(CompletableFuture::join).toList();
    } finally {
      pool.shutdown();
    }
  }

  private void start(Server server, Component component, List<Server> started) {
    if (!server.running()) {
      progress.accept("starting " + component.displayName() + " on " + server.endpoint());
    }
    if (server.start()) {
      started.add(server);
    }
  }

  private void rollBack(List<Server> started) {
    List<Server> reverse = new ArrayList<>(started);
    Collections.reverse(reverse);
    for (Server s : reverse) {
      try {
        s.stop();
      } catch (RuntimeException e) {
        progress.accept("could not stop a server while rolling back: " + e.getMessage());
      }
    }
  }

  private static void awaitQuietly(CompletableFuture<?> future) {
    try {
      future.join();
    } catch (CompletionException e) {
      // Reported through the first failure; the roll-back covers this one's server too.
    }
  }

  private static RuntimeException unwrap(RuntimeException e) {
    return e instanceof CompletionException && e.getCause() instanceof RuntimeException cause
        ? cause
        : e;
  }

  private void requirePortsFree(Servers servers) {
    for (Component c : Component.values()) {
      if (!servers.get(c).running()) {
        Ports.requireFree(
            spec.security().bind(), servers.port(c), c.displayName(), c.key() + ".port");
      }
    }
  }

  private Servers servers(boolean forUp) {
    return servers(tools(), forUp);
  }

  private Servers servers(Tools tools, boolean forUp) {
    RunAs runAs = RunAs.forCurrentProcess(spec.security().runAs());
    if (forUp) {
      StackFiles.createStateDir(dir);
      runAs.checkReachable(dir.root());
    }
    Secrets secrets = Secrets.open(dir.secretsFile());
    Map<Component, Integer> ports = ports(StackState.load(dir.stateFile()), forUp);
    return new Servers(tools, runAs, secrets, ports);
  }

  private Map<Component, Integer> ports(StackState state, boolean pick) {
    Map<Component, Integer> ports = new EnumMap<>(Component.class);
    Map<Component, Integer> configured =
        Map.of(
            Component.POSTGRES,
            spec.postgres().port(),
            Component.POOLER,
            spec.pooler().port(),
            Component.REDIS,
            spec.redis().port());
    for (Component c : Component.values()) {
      int port = configured.get(c);
      if (port == 0) {
        port = state.port(c.key()).orElse(0);
        if (pick && port == 0) {
          port = Ports.free(spec.security().bind());
          state.rememberPort(c.key(), port);
        }
      }
      ports.put(c, port);
    }
    return ports;
  }

  private Path socketDir() {
    return StackFiles.socketDir(dir);
  }

  /** The servers of this stack, wired to their configuration. */
  private final class Servers {
    private final Tools tools;
    private final Certificates certificates = new Certificates(dir.tlsDir());
    private final RunAs runAs;
    private final Map<Component, Integer> ports;
    private final PostgresServer postgres;
    private final PgBouncerServer pooler;
    private final RedisServer redis;
    private final PostgresBootstrap bootstrap;

    Servers(Tools tools, RunAs runAs, Secrets secrets, Map<Component, Integer> ports) {
      this.tools = tools;
      this.runAs = runAs;
      this.ports = ports;
      Path socketDir = socketDir();
      this.bootstrap = new PostgresBootstrap(spec, secrets);
      this.postgres =
          new PostgresServer(
              spec,
              tools.pgBinDir(),
              dir.component("postgres"),
              socketDir,
              dir.tlsDir(),
              runAs,
              port(Component.POSTGRES),
              bootstrap);
      Path bouncerDir = dir.component("pgbouncer");
      String ini =
          PgBouncerConfig.renderIni(
                  spec,
                  bouncerDir,
                  port(Component.POOLER),
                  socketDir,
                  port(Component.POSTGRES),
                  dir.tlsDir())
              + PgBouncerBinary.iniSettings(tools.pgbouncer());
      this.pooler =
          new PgBouncerServer(
              spec,
              tools.pgbouncer(),
              bouncerDir,
              runAs,
              port(Component.POOLER),
              ini,
              bootstrap::verifiers,
              new Psql(tools.pgBinDir()),
              () -> env().pooled());
      String host = StackEnvs.clientHost(spec.security().bind());
      RedisEndpoint monitor =
          new RedisEndpoint(
              host,
              port(Component.REDIS),
              StackEnvs.REDIS_MONITOR_USER,
              secrets.get(StackEnvs.redisSecret(StackEnvs.REDIS_MONITOR_USER)),
              false);
      RedisEndpoint admin =
          new RedisEndpoint(
              host,
              port(Component.REDIS),
              StackEnvs.REDIS_ADMIN_USER,
              secrets.get(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER)),
              false);
      Path redisDir = dir.component("redis");
      this.redis =
          new RedisServer(
              tools.redisServer(),
              tools.redisCli(),
              redisDir,
              runAs,
              RedisConfig.renderConf(
                  spec.redis(), spec.security().bind(), port(Component.REDIS), redisDir),
              RedisConfig.liveSettings(spec.redis(), spec.security().bind(), port(Component.REDIS)),
              RedisConfig.renderAcl(
                  secrets.get(StackEnvs.redisSecret(StackEnvs.REDIS_APP_USER)),
                  monitor.password(),
                  admin.password()),
              monitor,
              admin);
    }

    int port(Component c) {
      return ports.get(c);
    }

    Server get(Component c) {
      return switch (c) {
        case POSTGRES -> postgres;
        case POOLER -> pooler;
        case REDIS -> redis;
      };
    }

    PostgresServer postgres() {
      return postgres;
    }

    PgBouncerServer pooler() {
      return pooler;
    }

    RedisServer redis() {
      return redis;
    }

    /** Computes the SCRAM verifiers now (once per stack; they are kept with the secrets). */
    void deriveVerifiers() {
      bootstrap.verifiers();
    }

    /** The CA and server certificate (generated, or the user's), owned by the servers' user. */
    void prepareTls() {
      if (!spec.security().tls()) {
        return;
      }
      if (spec.security().userCertificates()) {
        certificates.copyFrom(
            Path.of(spec.security().tlsCertFile().orElseThrow()),
            Path.of(
                spec.security()
                    .tlsKeyFile()
                    .orElseThrow(
                        () ->
                            StrataException.badInput(
                                "security.tls_cert_file is set but security.tls_key_file is not",
                                "set both, or neither"))),
            Path.of(
                spec.security()
                    .tlsCaFile()
                    .orElseThrow(
                        () ->
                            StrataException.badInput(
                                "security.tls_cert_file is set but security.tls_ca_file is not",
                                "set it to the CA that signed the certificate"))));
      } else {
        certificates.ensureGenerated(tools.openssl(), spec.security().bind());
      }
      runAs.give(certificates.serverKey());
      runAs.give(certificates.serverCert());
    }
  }
}
