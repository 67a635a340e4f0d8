package dev.strata.ops.ha;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.Extensions;
import dev.strata.ops.postgres.PostgresBootstrap;
import dev.strata.ops.postgres.PostgresConfig;
import dev.strata.ops.postgres.PostgresServer;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Binaries.Program;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One PostgreSQL node of a highly available stack ({@code postgres.nodes > 1}), run by Patroni
 * (Debian's patroni 3.0.2) on etcd: Patroni bootstraps the first node with initdb, makes the others
 * replicas with pg_basebackup, keeps the leader key and promotes a replica when the leader fails.
 * Strata renders patroni.yml (the stack's postgresql.conf settings, its pg_hba rules with TLS and
 * SCRAM, a replication and a pg_rewind role) and the callback that points PgBouncer at the leader.
 */
public final class PatroniNode implements Component {
  /** The Patroni cluster's name (its etcd prefix {@code /service/strata}). */
  public static final String SCOPE = "strata";

  /** The role pg_basebackup and streaming replication log in as. */
  public static final String REPLICATION_ROLE = "strata_replicator";

  /** The role pg_rewind logs in as when a former leader rejoins. */
  public static final String REWIND_ROLE = "strata_rewind";

  /** The REST API's user for switchover and failover. */
  public static final String REST_USER = "strata";

  private final ComponentContext context;
  private final Instance instance;
  private final StrataSpec spec;
  private final Path dir;
  private final RunAs runAs;
  private final HaPorts ports;
  private final PostgresBootstrap bootstrap;
  private final Supplier<Map<String, String>> contributed;
  private final Psql psql;

  public PatroniNode(
      ComponentContext context,
      Instance instance,
      PostgresBootstrap bootstrap,
      Supplier<Map<String, String>> contributed) {
    this.context = context;
    this.instance = instance;
    this.spec = context.spec();
    this.dir = context.folder(instance);
    this.runAs = context.runAs();
    this.ports = new HaPorts(dir, spec.security().bind());
    this.bootstrap = bootstrap;
    this.contributed = contributed;
    this.psql = new Psql(context.tools().pgBinDir());
  }

  /** The patroni program, installed from Debian's patroni (with python3-etcd) by {@code up}. */
  static Path program(boolean install) {
    Map<String, Path> found =
        Binaries.require(
            List.of(
                new Program("patroni", "patroni"),
                new Program("patronictl", "patroni"),
                new Program("etcd", "etcd-server")),
            install);
    // Patroni's own interpreter (not whatever python3 is first on the PATH) needs the etcd client.
    if (!Exec.of("/usr/bin/python3", "-c", "import etcd").run().ok()) {
      Binaries.requirePackages(
          List.of("python3-etcd"), "Patroni's etcd client (python3-etcd)", install);
    }
    return found.get("patroni");
  }

  /** Installs (with {@code up}) or finds the HA programs: patroni, python3-etcd, etcd. */
  public static void requirePrograms(boolean install) {
    program(install);
  }

  @Override
  public Instance instance() {
    return instance;
  }

  /** Every etcd member; the nodes after the first wait for it, so that it bootstraps. */
  @Override
  public List<String> dependsOn() {
    List<String> deps = new ArrayList<>();
    context.topology().of(Kind.ETCD).forEach(i -> deps.add(i.id()));
    if (instance.ordinal() > 1) {
      deps.add(context.topology().first(Kind.POSTGRES).id());
    }
    return deps;
  }

  @Override
  public List<PortClaim> ports() {
    return List.of(
        new PortClaim(instance.port(), "postgres.port"),
        new PortClaim(restPort(), "postgres.nodes (Patroni REST API port)"));
  }

  /** This node's Patroni REST API port (picked on first use). */
  public int restPort() {
    return ports.port("rest");
  }

  /** This node's REST API, with the stack's API password. */
  public PatroniRest rest() {
    return new PatroniRest(restPort(), REST_USER, context.secrets().get(restSecret()));
  }

  /** The secret holding the REST API's password. */
  public static String restSecret() {
    return "patroni/restapi";
  }

  public Path dataDir() {
    return PostgresServer.dataDir(dir);
  }

  private Path configFile() {
    return dir.resolve("patroni.yml");
  }

  private Path pidPath() {
    return dir.resolve("patroni.pid");
  }

  private Path callback() {
    return dir.resolve("on-role-change.py");
  }

  /** {@code .strata/patroni}: the leader file. */
  static Path sharedDir(ComponentContext context) {
    return context.dir().component("patroni");
  }

  @Override
  public boolean render() {
    ConfigFiles.createDirectories(dir);
    Path shared = sharedDir(context);
    ConfigFiles.createDirectories(shared);
    Map<String, Integer> pgPorts = new LinkedHashMap<>();
    context.topology().of(Kind.POSTGRES).forEach(i -> pgPorts.put(i.id(), i.port()));
    Path pooler = context.folder(context.topology().first(Kind.POOLER));
    boolean changed =
        ConfigFiles.write(
            callback(),
            LeaderCallback.render(
                instance.id(),
                restPort(),
                pgPorts,
                spec.postgres().databases(),
                context.socketDir(),
                PoolerTargets.databasesIni(pooler),
                pooler.resolve("pgbouncer.pid"),
                shared.resolve("leader")),
            "rwx------");
    changed |=
        ConfigFiles.write(
            configFile(),
            PatroniConfig.render(
                context, instance, restPort(), context.secrets(), contributed.get(), callback()),
            "rw-------");
    writeScrapeTargets(); // not a change Patroni must reload for
    runAs.give(dir);
    runAs.give(shared);
    ConfigFiles.createDirectories(context.socketDir());
    runAs.give(context.socketDir());
    return changed;
  }

  /**
   * {@code .strata/prometheus/targets/patroni.json}: every node's REST API, whose {@code /metrics}
   * Prometheus scrapes (file_sd format, job {@code patroni}); the monitoring engine reads the
   * folder.
   */
  private void writeScrapeTargets() {
    StringBuilder json = new StringBuilder("[");
    List<Instance> nodes = context.topology().of(Kind.POSTGRES);
    for (int i = 0; i < nodes.size(); i++) {
      Instance node = nodes.get(i);
      int rest = new HaPorts(context.folder(node), spec.security().bind()).port("rest");
      json.append(i == 0 ? "" : ",")
          .append("\n  {\"targets\": [\"127.0.0.1:")
          .append(rest)
          .append("\"], \"labels\": {\"job\": \"patroni\", \"instance\": \"")
          .append(node.id())
          .append("\"}}");
    }
    json.append("\n]\n");
    Path targets = context.dir().component("prometheus").resolve("targets");
    ConfigFiles.createDirectories(targets);
    ConfigFiles.write(targets.resolve("patroni.json"), json.toString(), "rw-r--r--");
  }

  @Override
  public boolean start() {
    boolean changed = render();
    boolean started = false;
    if (!running()) {
      long logStart = Logs.size(log());
      Daemon.start(
          runAs, List.of(program(false).toString(), configFile().toString()), log(), pidPath());
      // The first node runs initdb; the others copy the leader with pg_basebackup.
      if (!Wait.until(this::healthy, Duration.ofSeconds(240))) {
        String why = running() ? "its PostgreSQL does not answer" : "Patroni exited";
        stop();
        throw Logs.startFailure(
            "Patroni (" + instance.id() + ")",
            why,
            log(),
            logStart,
            "fix the cause above (the PostgreSQL log is "
                + dataDir().resolve("log")
                + ") and run strata up again");
      }
      started = true;
    } else if (changed) {
      reload();
    }
    if (isLeader()) {
      // Patroni runs no callback after its own bootstrap: record the first leader here.
      Path leaderFile = sharedDir(context).resolve("leader");
      if (!java.nio.file.Files.exists(leaderFile)) {
        ConfigFiles.write(leaderFile, instance.id() + "\n", "rw-r--r--");
        runAs.give(leaderFile);
      }
      bootstrap.apply(dataDir(), context.socketDir(), instance.port(), psql, runAs);
      // The record of what was applied goes with the data: pg_basebackup copies it to each
      // replica as the servers' user, so it must be theirs (a root-owned file fails the copy).
      Path record = dataDir().resolve("strata-bootstrap.properties");
      if (java.nio.file.Files.exists(record)) {
        runAs.give(record);
      }
    }
    return started;
  }

  /** Whether this node holds the leader key. */
  public boolean isLeader() {
    return rest().node().map(n -> isLeaderRole(n.path("role").asText())).orElse(false);
  }

  static boolean isLeaderRole(String role) {
    return role.equals("master") || role.equals("primary") || role.equals("leader");
  }

  @Override
  public void stop() {
    // SIGTERM: Patroni stops PostgreSQL (fast) and, on the leader, releases the key.
    new PidFile(pidPath(), "patroni").terminate(Duration.ofSeconds(90));
  }

  @Override
  public void reload() {
    process().ifPresent(p -> Exec.of("kill", "-HUP", Long.toString(p.pid())).check());
  }

  @Override
  public boolean healthy() {
    return running()
        && postgresRunning()
        && psql.superuser(runAs, context.socketDir(), instance.port(), "postgres", "SELECT 1")
            .timeout(Duration.ofSeconds(10))
            .run()
            .ok();
  }

  /** The postmaster of this node, whatever Patroni is doing. */
  public Optional<ProcessHandle> postmaster() {
    return new PidFile(dataDir().resolve("postmaster.pid"), "postgres").process();
  }

  private boolean postgresRunning() {
    return postmaster().isPresent();
  }

  /** Patroni's own process: a node is running while Patroni supervises it. */
  @Override
  public Optional<ProcessHandle> process() {
    return new PidFile(pidPath(), "patroni").process();
  }

  /** Role (leader, sync_standby, replica), state, timeline and lag, from Patroni's cluster view. */
  @Override
  public Map<String, String> details() {
    if (!running()) {
      return Map.of();
    }
    Map<String, String> d = new LinkedHashMap<>();
    Optional<JsonNode> cluster = rest().cluster();
    if (cluster.isEmpty()) {
      return Map.of("role", "unknown (Patroni's REST API does not answer)");
    }
    for (JsonNode m : cluster.get().path("members")) {
      if (m.path("name").asText().equals(instance.id())) {
        d.put("role", m.path("role").asText("unknown"));
        d.put("state", m.path("state").asText("unknown"));
        if (m.has("timeline")) {
          d.put("timeline", m.path("timeline").asText());
        }
        if (m.has("lag")) {
          String lag = m.path("lag").asText();
          d.put("lag", lag.matches("\\d+") ? lag + " bytes" : lag);
        }
      }
    }
    if (d.isEmpty()) {
      d.put("role", "not in the cluster yet");
    }
    return d;
  }

  @Override
  public Optional<String> version() {
    if (!running() || !postgresRunning()) {
      return Optional.empty();
    }
    Exec.Result r =
        psql.superuser(
                runAs, context.socketDir(), instance.port(), "postgres", "SHOW server_version")
            .run();
    return r.ok() ? Optional.of(r.output().trim().split(" ")[0]) : Optional.empty();
  }

  /** Patroni's log; PostgreSQL's own is in the data directory's {@code log/}. */
  @Override
  public Path log() {
    return dir.resolve("patroni.log");
  }

  /**
   * The preload libraries the listed extensions need, and pg_stat_statements' own settings, as a
   * single server has them (without them a Patroni cluster ran pg_stat_statements unloaded).
   */
  @Override
  public Map<String, String> postgresSettings() {
    return PostgresConfig.extensionSettings(spec.postgres().extensions());
  }

  /** Refuses what Patroni cannot run, and extensions that are not installed. */
  @Override
  public void preflight() {
    EtcdMember.requireOdd(spec.postgres().etcdMembers());
    program(false);
    if (!spec.postgres().extensions().isEmpty()) {
      new Extensions(context.tools().pgBinDir()).requireInstalled(spec.postgres().extensions());
    }
  }
}
