package dev.strata.ops.redis;

import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.RedisNodes;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.RedisSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Redis Sentinel ({@code redis-server --sentinel}): one of three that watch the master and, when
 * two agree it is down, promote a replica. Its TLS listener and ACL follow the Redis nodes';
 * clients ask it where the master is without credentials (the only commands its default user has),
 * everything else needs Strata's own user.
 */
public final class SentinelServer implements Component {
  private final Instance instance;
  private final ComponentContext context;
  private final Path dir;
  private final RunAs runAs;
  private final Path ca;
  private final String conf;
  private final RedisEndpoint admin;

  public SentinelServer(ComponentContext context, Instance instance) {
    this.instance = instance;
    this.context = context;
    this.dir = context.folder(instance);
    this.runAs = context.runAs();
    boolean tls = StackEnvs.redisTls(context.spec());
    this.ca = tls ? context.dir().caFile() : null;
    Secrets secrets = context.secrets();
    Instance master = context.topology().first(Kind.REDIS);
    this.conf =
        render(
            context.spec().redis(),
            context.spec().security().bind(),
            instance.port(),
            tls ? context.tlsDir() : null,
            dir,
            master,
            secrets.get(StackEnvs.redisSecret(RedisConfig.SENTINEL_USER)),
            secrets.get(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER)));
    this.admin =
        new RedisEndpoint(
            instance.host(),
            livePort(),
            StackEnvs.REDIS_ADMIN_USER,
            secrets.get(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER)),
            tls,
            ca);
  }

  /** sentinel.conf as Strata first writes it; Sentinel rewrites it as it learns the topology. */
  static String render(
      RedisSpec redis,
      String bind,
      int port,
      Path tlsDir,
      Path dir,
      Instance master,
      String sentinelPassword,
      String adminPassword) {
    String name = RedisNodes.MASTER_NAME;
    StringBuilder c =
        new StringBuilder(
            "# Written by strata up; Sentinel rewrites it as it learns the topology.\n");
    c.append("daemonize yes\n");
    c.append("bind ").append(bind).append('\n');
    if (tlsDir != null) {
      c.append("port 0\n");
      c.append("tls-port ").append(port).append('\n');
      c.append("tls-cert-file ").append(tlsDir.resolve("server.crt")).append('\n');
      c.append("tls-key-file ").append(tlsDir.resolve("server.key")).append('\n');
      c.append("tls-ca-cert-file ").append(tlsDir.resolve("ca.crt")).append('\n');
      c.append("tls-auth-clients no\n");
      // Sentinel's own connections to the nodes and to the other Sentinels
      c.append("tls-replication yes\n");
    } else {
      c.append("port ").append(port).append('\n');
    }
    c.append("pidfile ").append(dir.resolve("sentinel.pid")).append('\n');
    c.append("logfile ").append(dir.resolve("sentinel.log")).append('\n');
    c.append("dir ").append(dir.resolve("data")).append('\n');
    c.append("protected-mode no\n");
    // clients only discover the master without credentials; the other Sentinels and Strata log in
    c.append(
        "user default on nopass resetchannels &* -@all +sentinel|get-master-addr-by-name"
            + " +sentinel|master +sentinel|replicas +sentinel|slaves +sentinel|sentinels"
            + " +sentinel|myid +ping +hello +role +subscribe +psubscribe +unsubscribe"
            + " +punsubscribe "
            + RedisConfig.CONNECT
            + "\n");
    c.append("user ")
        .append(StackEnvs.REDIS_ADMIN_USER)
        .append(" on #")
        .append(RedisConfig.sha256(adminPassword))
        .append(" ~* &* +@all\n");
    c.append("sentinel sentinel-user ").append(StackEnvs.REDIS_ADMIN_USER).append('\n');
    c.append("sentinel sentinel-pass ").append(adminPassword).append('\n');
    c.append("sentinel monitor ")
        .append(name)
        .append(' ')
        .append(master.host())
        .append(' ')
        .append(master.port())
        .append(' ')
        .append(redis.quorum())
        .append('\n');
    c.append("sentinel auth-user ").append(name).append(' ').append(RedisConfig.SENTINEL_USER);
    c.append('\n');
    c.append("sentinel auth-pass ").append(name).append(' ').append(sentinelPassword).append('\n');
    c.append("sentinel down-after-milliseconds ")
        .append(name)
        .append(' ')
        .append(redis.downAfter().toMillis())
        .append('\n');
    // a failed election is retried after twice this: kept short so a split vote costs little
    c.append("sentinel failover-timeout ").append(name).append(" 6000\n");
    c.append("sentinel parallel-syncs ").append(name).append(" 1\n");
    return c.toString();
  }

  @Override
  public Instance instance() {
    return instance;
  }

  @Override
  public List<String> dependsOn() {
    return context.topology().of(Kind.REDIS).stream().map(Instance::id).toList();
  }

  @Override
  public List<PortClaim> ports() {
    return List.of(new PortClaim(instance.port(), "redis.sentinel_port"));
  }

  @Override
  public Path log() {
    return dir.resolve("sentinel.log");
  }

  private PidFile pidFile() {
    return new PidFile(dir.resolve("sentinel.pid"), "redis-server");
  }

  @Override
  public Optional<ProcessHandle> process() {
    return pidFile().process();
  }

  /**
   * Writes sentinel.conf once. After that it is Sentinel's: it records there which node is the
   * master now, the replicas and the other Sentinels, which a rewrite would forget.
   */
  @Override
  public boolean render() {
    ConfigFiles.createDirectories(dir.resolve("data"));
    boolean changed = false;
    if (!Files.exists(dir.resolve("sentinel.conf"))) {
      changed = ConfigFiles.write(dir.resolve("sentinel.conf"), conf, "rw-------");
    }
    runAs.give(dir);
    return changed;
  }

  @Override
  public boolean start() {
    render();
    if (running()) {
      return false;
    }
    long logStart = Logs.size(log());
    Exec.Result r =
        runAs
            .exec(
                context.tools().redisServer().toString(),
                dir.resolve("sentinel.conf").toString(),
                "--sentinel")
            .run();
    if (!r.ok() || !Wait.until(this::healthy, Duration.ofSeconds(30))) {
      String why = r.ok() ? "it does not answer PING" : r.describeFailure();
      stop();
      throw Logs.startFailure(
          "Redis Sentinel", why, log(), logStart, "fix the cause above and run strata up again");
    }
    return true;
  }

  @Override
  public void reload() {
    // Sentinel owns its file after the first start; nothing of strata.yaml is re-read live.
  }

  @Override
  public boolean healthy() {
    return running() && cli("PING").run().ok();
  }

  @Override
  public void stop() {
    pidFile().terminate(Duration.ofSeconds(30));
  }

  @Override
  public Optional<String> version() {
    if (!running()) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        RedisCli.info(
                RedisCli.as(context.tools().redisCli(), admin, "INFO", "server").run().output())
            .get("redis_version"));
  }

  /** {@code role: sentinel} and the master it names now. */
  @Override
  public Map<String, String> details() {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("role", "sentinel");
    Exec.Result r = cli("SENTINEL", "get-master-addr-by-name", RedisNodes.MASTER_NAME).run();
    List<String> lines = r.output().lines().map(String::trim).toList();
    if (r.ok() && lines.size() == 2) {
      String master = lines.get(0) + ":" + lines.get(1);
      details.put(
          "master",
          Sentinels.node(context, master).map(i -> i.id() + " (" + master + ")").orElse(master));
    }
    return details;
  }

  private Exec cli(String... args) {
    return RedisCli.anonymous(context.tools().redisCli(), instance.host(), livePort(), ca, args);
  }

  private int livePort() {
    return context.topology().instance(instance.id()).map(Instance::port).orElse(instance.port());
  }
}
