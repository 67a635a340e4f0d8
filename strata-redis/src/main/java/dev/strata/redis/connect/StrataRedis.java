package dev.strata.redis.connect;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One application's way to Redis: a Lettuce client and a shared, thread-safe connection that the
 * cache, the locks and the session store use. Create it once, share it, close it on shutdown.
 *
 * <pre>{@code
 * try (StrataRedis redis = StrataRedis.fromEnvironment()) {   // reads REDIS_URL
 *   StrataCache<String> cache = StrataCache.builder(redis, "greetings", CacheCodec.string()).build();
 *   String hello = cache.get("en", () -> "hello");
 * }
 * }</pre>
 *
 * <p>Everything is addressed by a {@link RedisURI}, which also describes Sentinel ({@code
 * redis-sentinel://}) deployments; the commands this class hands out are the cluster-compatible
 * Lettuce interfaces, so callers do not change when the topology does.
 *
 * <p>While Redis is unreachable, commands fail at once (Lettuce's {@code REJECT_COMMANDS}) instead
 * of queueing, so a cache can fall back to its loader without waiting; the client reconnects in the
 * background with a delay capped at {@link Builder#reconnectDelayMax(Duration)}.
 */
public final class StrataRedis implements AutoCloseable {
  /** String keys, byte-array values: every Strata structure encodes its own values. */
  public static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisHealth health;

  private StrataRedis(Builder builder) {
    this.uri = RedisURI.builder(builder.uri).withTimeout(builder.commandTimeout).build();
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), builder.reconnectDelayMax, 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    this.health = new RedisHealth(describe(uri), this::connected);
    try {
      this.connection = client.connect(CODEC);
    } catch (RuntimeException e) {
      close();
      throw StrataException.environment(
          "cannot connect to Redis at " + describe(uri) + ": " + e.getMessage(),
          "check that Redis is up (`strata status`) and that REDIS_URL names the right host,"
              + " port, user and password");
    }
  }

  /** Connects to the Redis in {@code REDIS_URL}, as {@code strata env} prints it. */
  public static StrataRedis fromEnvironment() {
    return fromEnvironment(System::getenv);
  }

  static StrataRedis fromEnvironment(Function<String, String> environment) {
    String url = environment.apply("REDIS_URL");
    if (url == null || url.isBlank()) {
      throw StrataException.badInput(
          "REDIS_URL is not set",
          "run `eval \"$(strata env)\"` in the project folder, or connect with a RedisEndpoint");
    }
    return connect(url);
  }

  /**
   * Connects to the Redis of the stack in {@code projectDir}, reading its strata.yaml, state and
   * secrets (the stack must have been brought up with {@code strata up}).
   */
  public static StrataRedis fromProject(Path projectDir) {
    StrataSpec spec = SpecLoader.load(projectDir.resolve("strata.yaml"), System::getenv);
    return connect(StackEnvs.resolve(projectDir, spec, spec.postgres().primaryDatabase()).redis());
  }

  /** Connects as the endpoint's ACL user. */
  public static StrataRedis connect(RedisEndpoint endpoint) {
    return connect(endpoint.url());
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

  /** The commands of the shared connection, blocking up to the command timeout. */
  public RedisClusterCommands<String, byte[]> sync() {
    return connection.sync();
  }

  /** The commands of the shared connection, asynchronous. */
  public RedisClusterAsyncCommands<String, byte[]> async() {
    return connection.async();
  }

  private boolean connected() {
    StatefulRedisConnection<String, byte[]> c = connection;
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
   */
  public TrackedConnection openTracked(PushListener listener, Runnable onReconnect) {
    return TrackedConnection.open(client, listener, onReconnect);
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
    return "StrataRedis[" + mask(uri.toString()) + "]";
  }

  /** Connection options; every one has a default. */
  public static final class Builder {
    private final RedisURI uri;
    private Duration commandTimeout = Duration.ofSeconds(1);
    private Duration reconnectDelayMax = Duration.ofSeconds(1);

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
