package dev.strata.core.spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code redis} section. Built from the validated {@link Values} by key, never by position. */
public final class RedisSpec {

  public static final Key<Integer> PORT =
      Key.of("port", Types.port(), 6379, "TCP port Redis listens on.");
  public static final Key<DataSize> MAXMEMORY =
      Key.of(
          "maxmemory",
          Types.size(DataSize.ofMegabytes(1)),
          DataSize.ofMegabytes(256),
          "Memory limit; past it Redis evicts keys by the policy.");
  public static final Key<String> POLICY =
      Key.of(
          "policy",
          Types.oneOf(
              "allkeys-lru",
              "allkeys-lfu",
              "allkeys-random",
              "volatile-lru",
              "volatile-lfu",
              "volatile-random",
              "volatile-ttl",
              "noeviction"),
          "allkeys-lru",
          "Eviction policy when maxmemory is reached.");
  public static final Key<String> PERSISTENCE =
      Key.of(
          "persistence",
          Types.oneOf("aof+rdb", "aof", "rdb", "none"),
          "aof+rdb",
          "Append-only file (fsync every second) and/or RDB snapshots.");
  public static final Key<Optional<Boolean>> TLS =
      Key.of(
          "tls",
          Types.autoOr(Types.bool()),
          Optional.empty(),
          "TLS for Redis (rediss://), with the certificate of security.tls; auto follows"
              + " security.tls.");

  public static final Key<String> MODE =
      Key.of(
          "mode",
          Types.oneOf("single", "sentinel", "cluster"),
          "single",
          "single: one server; sentinel: a master, redis.replicas replicas and 3 Sentinels that"
              + " promote a replica when the master dies; cluster: a Redis Cluster of redis.masters"
              + " masters with redis.replicas_per_master replicas each.");
  public static final Key<Integer> REPLICAS =
      Key.of(
          "replicas",
          Types.integer(1, 8),
          2,
          "Sentinel mode: how many replicas follow the master (redis-2, redis-3...). With 2, the"
              + " promoted replica still has one to satisfy min_replicas_to_write.");
  public static final Key<Integer> MASTERS =
      Key.of(
          "masters",
          Types.integer(3, 16),
          3,
          "Cluster mode: how many masters share the 16384 slots (Redis Cluster needs at least 3).");
  public static final Key<Integer> REPLICAS_PER_MASTER =
      Key.of(
          "replicas_per_master",
          Types.integer(0, 4),
          1,
          "Cluster mode: replicas of each master, which take over its slots when it dies.");
  public static final Key<Integer> SENTINEL_PORT =
      Key.of(
          "sentinel_port",
          Types.port(),
          26379,
          "Sentinel mode: the first Sentinel's TCP port; the others take the next two (0 picks"
              + " free ports).");
  public static final Key<Integer> MIN_REPLICAS_TO_WRITE =
      Key.of(
          "min_replicas_to_write",
          Types.integer(0, 8),
          1,
          "Sentinel mode: the master refuses writes unless this many replicas are connected and"
              + " at most 10 s behind, so a master cut off from its replicas stops taking writes"
              + " it would lose at failover (0 turns it off; capped at redis.replicas - 1 so the"
              + " promoted replica can take writes).");
  public static final Key<Duration> DOWN_AFTER =
      Key.of(
          "down_after",
          Types.duration(),
          Duration.ofMillis(1500),
          "Sentinel mode: how long the master may not answer before the Sentinels start a"
              + " failover (Sentinel's default is 30 s; shorter is a faster failover, and more"
              + " failovers on a stalled machine).");

  /**
   * The section on its own resolves {@code tls: auto} against the default of {@code security.tls};
   * {@link StrataSpec} builds it with the file's security section instead.
   */
  public static final Section<RedisSpec> SECTION =
      new Section<>(
          "redis",
          "Redis server",
          List.of(
              PORT,
              MAXMEMORY,
              POLICY,
              PERSISTENCE,
              TLS,
              MODE,
              REPLICAS,
              MASTERS,
              REPLICAS_PER_MASTER,
              SENTINEL_PORT,
              MIN_REPLICAS_TO_WRITE,
              DOWN_AFTER),
          v -> new RedisSpec(v, SecuritySpec.TLS.defaultValue()));

  private final Values values;
  private final boolean securityTls;

  private RedisSpec(Values values, boolean securityTls) {
    this.values = values;
    this.securityTls = securityTls;
  }

  /** The section read from {@code redis}, with {@code tls: auto} following {@code security}. */
  static RedisSpec of(Values redis, SecuritySpec security) {
    return new RedisSpec(redis, security.tls());
  }

  public int port() {
    return values.get(PORT);
  }

  public DataSize maxmemory() {
    return values.get(MAXMEMORY);
  }

  public String policy() {
    return values.get(POLICY);
  }

  public String persistence() {
    return values.get(PERSISTENCE);
  }

  /** Whether Redis serves TLS: {@code redis.tls}, or {@code security.tls} when that is auto. */
  public boolean tls() {
    return values.get(TLS).orElse(securityTls);
  }

  /** {@code single}, {@code sentinel} or {@code cluster}. */
  public String mode() {
    return values.get(MODE);
  }

  public boolean sentinel() {
    return mode().equals("sentinel");
  }

  public boolean cluster() {
    return mode().equals("cluster");
  }

  /** How many Redis nodes the mode runs: 1, the master and its replicas, or the cluster's. */
  public int nodes() {
    return switch (mode()) {
      case "sentinel" -> 1 + values.get(REPLICAS);
      case "cluster" -> values.get(MASTERS) * (1 + values.get(REPLICAS_PER_MASTER));
      default -> 1;
    };
  }

  /** How many Sentinels run: 3 in sentinel mode (a quorum of 2 survives one), else none. */
  public int sentinels() {
    return sentinel() ? 3 : 0;
  }

  /** The Sentinels' quorum: how many must agree that the master is down. */
  public int quorum() {
    return 2;
  }

  public int masters() {
    return values.get(MASTERS);
  }

  public int replicasPerMaster() {
    return values.get(REPLICAS_PER_MASTER);
  }

  public int sentinelPort() {
    return values.get(SENTINEL_PORT);
  }

  /**
   * {@code min-replicas-to-write}, capped at one less than the replicas: a promoted replica has one
   * replica fewer than the master had, and a cap at the full count would leave the new master
   * refusing every write (with {@code replicas: 1} the setting is therefore off).
   */
  public int minReplicasToWrite() {
    return sentinel() ? Math.min(values.get(MIN_REPLICAS_TO_WRITE), values.get(REPLICAS) - 1) : 0;
  }

  public Duration downAfter() {
    return values.get(DOWN_AFTER);
  }

  public boolean appendOnly() {
    return persistence().contains("aof");
  }

  public boolean snapshots() {
    return persistence().contains("rdb");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedisSpec other && values.equals(other.values) && tls() == other.tls();
  }

  @Override
  public int hashCode() {
    return values.hashCode() * 31 + Boolean.hashCode(tls());
  }

  @Override
  public String toString() {
    return values + "(tls=" + tls() + ")";
  }
}
