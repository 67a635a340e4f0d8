package dev.strata.redis.connect;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One application's way to Redis: a Lettuce client and a shared, thread-safe connection that the
 * cache, the locks and the session store use. Create it once, share it, close it on shutdown.
 *
 * <pre>{@code
 * try (StrataRedis redis = StrataRedis.fromEnvironment()) {   // reads REDIS_URL (and REDIS_CA)
 *   StrataCache<String> cache = StrataCache.builder(redis, "greetings", CacheCodec.string()).build();
 *   String hello = cache.get("en", () -> "hello");
 * }
 * }</pre>
 *
 * <p>Everything is addressed by a {@link RedisURI}, which also describes Sentinel ({@code
 * redis-sentinel://}) deployments. When the server is a Redis Cluster node ({@code INFO cluster}
 * says {@code cluster_enabled:1}), the client becomes Lettuce's {@link RedisClusterClient} with
 * adaptive topology refresh; the commands this class hands out are the cluster-compatible Lettuce
 * interfaces, so callers do not change when the topology does.
 *
 * <p>{@code rediss://} URLs connect with TLS, verifying the server against the CA given to {@link
 * Builder#caCertificate(Path)} ({@code REDIS_CA} for {@link #fromEnvironment()}, the stack's CA for
 * {@link #fromProject(Path)}), or the JVM's trust store when there is none.
 *
 * <p>While Redis is unreachable, commands fail at once (Lettuce's {@code REJECT_COMMANDS}) instead
 * of queueing, so a cache can fall back to its loader without waiting; the client reconnects in the
 * background with a delay capped at {@link Builder#reconnectDelayMax(Duration)}. While Redis is
 * connected but does not answer, {@link RedisHealth} opens a circuit breaker after the first
 * timeout: one call per {@link Builder#probeInterval(Duration)} pays the command timeout, the
 * others fail at once.
 */
public final class StrataRedis implements AutoCloseable {
  /** String keys, byte-array values: every Strata structure encodes its own values. */
  public static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private final RedisURI uri;
  private final Duration commandTimeout;
  private final ClientResources resources;
  private final SslOptions ssl;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, byte[]> connection;
  private final RedisClusterCommands<String, byte[]> sync;
  private final RedisClusterAsyncCommands<String, byte[]> async;
  private final boolean cluster;
  private final RedisHealth health;

  private StrataRedis(Builder builder) {
    this.commandTimeout = builder.commandTimeout;
    // the URI's timeout bounds the connection handshake (TLS, HELLO, AUTH), which a loaded host
    // can stretch past a tight command timeout; commands get their own timeout (TimeoutOptions)
    Duration handshake =
        builder.commandTimeout.compareTo(HANDSHAKE_TIMEOUT) > 0
            ? builder.commandTimeout
            : HANDSHAKE_TIMEOUT;
    this.uri = withTimeout(builder.uri, handshake);
    this.ssl = uri.isSsl() ? sslOptions(builder.caCertificate) : null;
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), builder.reconnectDelayMax, 2, TimeUnit.MILLISECONDS))
            .build();
    this.health = new RedisHealth(describe(uri), this::connected, builder.probeInterval);
    List<RedisURI> seeds = seeds(uri, builder.clusterSeeds);
    AbstractRedisClient chosen = null;
    StatefulConnection<String, byte[]> open = null;
    boolean isCluster = false;
    try {
      if (!seeds.isEmpty()) {
        // every node is a seed: the client starts even while some node (redis-1) is down
        RedisClusterClient clusterClient = clusterClient(seeds);
        chosen = clusterClient;
        open = clusterClient.connect(CODEC);
        isCluster = true;
      } else {
        RedisClient standalone = RedisClient.create(resources, uri);
        standalone.setOptions(clientOptions(ClientOptions.builder()).build());
        chosen = standalone;
        StatefulRedisConnection<String, byte[]> first = standalone.connect(CODEC);
        open = first;
        isCluster =
            builder.cluster != null
                ? builder.cluster
                : uri.getSentinels().isEmpty() && clusterEnabled(first);
        if (isCluster) {
          first.close();
          open = null;
          standalone.shutdown(Duration.ZERO, Duration.ofSeconds(2));
          RedisClusterClient clusterClient = clusterClient(List.of(uri));
          chosen = clusterClient;
          open = clusterClient.connect(CODEC);
        }
      }
    } catch (RuntimeException e) {
      if (open != null) {
        open.close();
      }
      if (chosen != null) {
        chosen.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw StrataException.environment(
          "cannot connect to Redis at " + describe(uri) + ": " + rootMessage(e),
          uri.isSsl()
              ? "check that Redis is up (`strata status`), that it serves TLS on that port and that"
                  + " the CA (REDIS_CA) is the one that signed its certificate"
              : "check that Redis is up (`strata status`) and that REDIS_URL names the right host,"
                  + " port, user and password");
    }
    this.client = chosen;
    this.connection = open;
    this.cluster = isCluster;
    if (open instanceof StatefulRedisClusterConnection<String, byte[]> c) {
      this.sync = c.sync();
      this.async = c.async();
    } else {
      StatefulRedisConnection<String, byte[]> c = (StatefulRedisConnection<String, byte[]>) open;
      this.sync = c.sync();
      this.async = c.async();
    }
  }

  /**
   * {@code uri} with another timeout. {@code RedisURI.builder(RedisURI)} copies neither the
   * Sentinels nor the master id, which would turn a Sentinel URL into one without a host; they are
   * copied here, each Sentinel with the timeout too.
   */
  static RedisURI withTimeout(RedisURI uri, Duration timeout) {
    RedisURI.Builder copy = RedisURI.builder(uri).withTimeout(timeout);
    for (RedisURI sentinel : uri.getSentinels()) {
      copy.withSentinel(RedisURI.builder(sentinel).withTimeout(timeout).build());
    }
    if (uri.getSentinelMasterId() != null) {
      copy.withSentinelMasterId(uri.getSentinelMasterId());
    }
    return copy.build();
  }

  private RedisClusterClient clusterClient(List<RedisURI> seeds) {
    RedisClusterClient clusterClient = RedisClusterClient.create(resources, seeds);
    clusterClient.setOptions(
        clientOptions(ClusterClientOptions.builder())
            .topologyRefreshOptions(
                // a dead master's slots move to its replica within seconds: the client asks
                // again at most once a second (Lettuce's default waits 30 s between asks)
                ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                    .refreshTriggersReconnectAttempts(3)
                    .enablePeriodicRefresh(Duration.ofSeconds(30))
                    .build())
            .build());
    return clusterClient;
  }

  /** {@code uri} at each {@code host:port} of {@code nodes}, with its credentials and TLS. */
  static List<RedisURI> seeds(RedisURI uri, List<String> nodes) {
    return nodes.stream()
        .map(
            node -> {
              int colon = node.lastIndexOf(':');
              String host = node.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
              return RedisURI.builder(uri)
                  .withHost(host)
                  .withPort(Integer.parseInt(node.substring(colon + 1)))
                  .build();
            })
        .toList();
  }

  private <B extends ClientOptions.Builder> B clientOptions(B options) {
    options
        .autoReconnect(true)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    if (ssl != null) {
      options.sslOptions(ssl);
    }
    return options;
  }

  private static SslOptions sslOptions(Path ca) {
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
    if (ca != null) {
      if (!Files.isReadable(ca)) {
        throw StrataException.badInput(
            "the Redis CA certificate " + ca + " cannot be read",
            "point REDIS_CA at the stack's CA (`strata env` prints it) or a readable PEM file");
      }
      ssl.trustManager(ca.toFile());
    }
    return ssl.build();
  }

  private static boolean clusterEnabled(StatefulRedisConnection<String, byte[]> c) {
    try {
      return c.sync().info("cluster").contains("cluster_enabled:1");
    } catch (RuntimeException e) {
      return false; // a restricted ACL user may not run INFO: then it is not a cluster we can use
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
  }

  /** Connects to the Redis in {@code REDIS_URL}, as {@code strata env} prints it. */
  public static StrataRedis fromEnvironment() {
    return fromEnvironment(System::getenv);
  }

  /**
   * Connects to {@code REDIS_URL} as {@code environment} gives it, verifying a {@code rediss://}
   * server against {@code REDIS_CA} (or {@code PGSSLROOTCERT}, the same Strata CA) when set.
   */
  public static StrataRedis fromEnvironment(Function<String, String> environment) {
    String url = environment.apply("REDIS_URL");
    if (url == null || url.isBlank()) {
      throw StrataException.badInput(
          "REDIS_URL is not set",
          "run `eval \"$(strata env)\"` in the project folder, or connect with a RedisEndpoint");
    }
    Builder builder = builder(parse(url));
    String nodes = environment.apply("REDIS_CLUSTER_NODES");
    if (nodes != null && !nodes.isBlank()) {
      builder.clusterSeeds(List.of(nodes.trim().split("\\s*,\\s*")));
    }
    String ca = environment.apply("REDIS_CA");
    if (ca == null || ca.isBlank()) {
      ca = environment.apply("PGSSLROOTCERT"); // the same Strata CA signs every server
    }
    if (ca != null && !ca.isBlank()) {
      builder.caCertificate(Path.of(ca));
    }
    return builder.build();
  }

  /**
   * Connects to the Redis of the stack in {@code projectDir}, reading its strata.yaml, state and
   * secrets (the stack must have been brought up with {@code strata up}).
   */
  public static StrataRedis fromProject(Path projectDir) {
    StrataSpec spec = SpecLoader.load(projectDir.resolve("strata.yaml"), System::getenv);
    return connect(StackEnvs.resolve(projectDir, spec, spec.postgres().primaryDatabase()));
  }

  /** Connects to the stack's Redis, with the stack's CA when it serves TLS. */
  public static StrataRedis connect(StackEnv env) {
    RedisEndpoint redis = env.redis();
    if (redis.tls() && redis.caFile() == null && env.caFile() != null) {
      redis = redis.withCa(env.caFile());
    }
    return connect(redis);
  }

  /**
   * Connects as the endpoint's ACL user; over TLS, verifying the server with the endpoint's CA (or
   * the JVM's trust store when it has none).
   */
  public static StrataRedis connect(RedisEndpoint endpoint) {
    return builder(endpoint).build();
  }

  /** Options for connecting as the endpoint's ACL user, with its CA. */
  public static Builder builder(RedisEndpoint endpoint) {
    Builder builder = builder(parse(endpoint.url()));
    if (!endpoint.nodes().clusterNodes().isEmpty()) {
      builder.clusterSeeds(endpoint.nodes().clusterNodes());
    }
    if (endpoint.tls() && endpoint.caFile() != null) {
      builder.caCertificate(endpoint.caFile());
    }
    return builder;
  }

  /** Connects to a {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URL. */
  public static StrataRedis connect(String url) {
    return builder(parse(url)).build();
  }

  /** Connects with default options. */
  public static StrataRedis connect(RedisURI uri) {
    return builder(uri).build();
  }

  /** Options for connecting to {@code uri}. */
  public static Builder builder(RedisURI uri) {
    return new Builder(uri);
  }

  /** Options for connecting to a {@code redis://}, {@code rediss://} or sentinel URL. */
  public static Builder builder(String url) {
    return new Builder(parse(url));
  }

  private static RedisURI parse(String url) {
    try {
      return RedisURI.create(url);
    } catch (IllegalArgumentException e) {
      throw StrataException.badInput(
          mask("not a Redis URL: " + url + " (" + e.getMessage() + ")"),
          "use redis://user:password@host:port/0 as `strata env` prints it");
    }
  }

  private static String mask(String url) {
    return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:<masked>@");
  }

  private static String describe(RedisURI uri) {
    return uri.getSentinels().isEmpty()
        ? uri.getHost() + ":" + uri.getPort()
        : "sentinel master " + uri.getSentinelMasterId();
  }

  /**
   * The commands of the shared connection, blocking up to the command timeout. On a cluster they
   * route each key to its node and split multi-key commands by slot.
   */
  public RedisClusterCommands<String, byte[]> sync() {
    return sync;
  }

  /** The commands of the shared connection, asynchronous. */
  public RedisClusterAsyncCommands<String, byte[]> async() {
    return async;
  }

  /** How long a command may take before it fails. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** Whether this client talks to a Redis Cluster. */
  public boolean isCluster() {
    return cluster;
  }

  /**
   * The cluster connection, for commands that need a node of their own ({@code SCAN} per node);
   * empty unless {@link #isCluster()}.
   */
  public java.util.Optional<StatefulRedisClusterConnection<String, byte[]>> clusterConnection() {
    return connection instanceof StatefulRedisClusterConnection<String, byte[]> c
        ? java.util.Optional.of(c)
        : java.util.Optional.empty();
  }

  private boolean connected() {
    StatefulConnection<String, byte[]> c = connection;
    return c != null && c.isOpen();
  }

  /** Where this client connects, for messages; never shows the password. */
  public String address() {
    return health.address();
  }

  /**
   * Tells whether Redis answered the last command, and logs the change once when it stops or starts
   * answering. Strata's packages report through it; applications rarely need it.
   */
  public RedisHealth health() {
    return health;
  }

  /**
   * Opens a dedicated RESP3 connection whose server push messages (client-side caching
   * invalidations) go to {@code listener}; for the near cache. The caller closes it.
   *
   * @throws StrataException on a cluster: tracking is per node there, which the near cache does not
   *     follow yet
   */
  public TrackedConnection openTracked(
      PushListener listener, Runnable onReset, TrackedConnection.Mode mode) {
    if (!(client instanceof RedisClient standalone)) {
      throw StrataException.badInput(
          "the near cache needs a single Redis (or Sentinel); " + address() + " is a Redis Cluster",
          "build the cache without nearCache(...) on a cluster");
    }
    return TrackedConnection.open(standalone, listener, onReset, mode);
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "StrataRedis[" + mask(uri.toString()) + (cluster ? ", cluster" : "") + "]";
  }

  /** Connection options; every one has a default. */
  public static final class Builder {
    private final RedisURI uri;
    private Duration commandTimeout = Duration.ofSeconds(1);
    private Duration reconnectDelayMax = Duration.ofSeconds(1);
    private Duration probeInterval = Duration.ofSeconds(1);
    private Path caCertificate;
    private Boolean cluster;
    private List<String> clusterSeeds = List.of();

    private Builder(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "uri must not be null");
    }

    /**
     * How long a command may take before it fails (and a fail-open cache calls its loader). Default
     * 1 s.
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive(timeout, "commandTimeout");
      return this;
    }

    /** The longest pause between reconnection attempts. Default 1 s. */
    public Builder reconnectDelayMax(Duration delay) {
      this.reconnectDelayMax = positive(delay, "reconnectDelayMax");
      return this;
    }

    /**
     * While Redis does not answer, how often one call is let through to probe it; the others fail
     * at once instead of each waiting the command timeout. Default 1 s.
     */
    public Builder probeInterval(Duration interval) {
      this.probeInterval = positive(interval, "probeInterval");
      return this;
    }

    /** The CA (PEM) that signed the server's certificate, for {@code rediss://}. */
    public Builder caCertificate(Path ca) {
      this.caCertificate = Objects.requireNonNull(ca, "caCertificate must not be null");
      return this;
    }

    /**
     * Forces the cluster client (true) or the single-server one (false). Default: asks the server
     * ({@code INFO cluster}).
     */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * Connects to a Redis Cluster through these {@code host:port} seeds (as {@code
     * REDIS_CLUSTER_NODES} lists them) with the URI's credentials and TLS, so that the client
     * starts while some node is down. Implies {@code cluster(true)}.
     */
    public Builder clusterSeeds(List<String> hostPorts) {
      for (String hostPort : hostPorts) {
        if (!hostPort.matches(".+:\\d+")) {
          throw new IllegalArgumentException("a cluster seed is host:port, not '" + hostPort + "'");
        }
      }
      this.clusterSeeds = List.copyOf(hostPorts);
      return this;
    }

    /**
     * Connects.
     *
     * @throws StrataException if Redis cannot be reached or refuses the credentials
     */
    public StrataRedis build() {
      return new StrataRedis(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " must not be null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
      return d;
    }
  }
}
