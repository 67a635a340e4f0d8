package dev.strata.core.spec;

import java.time.Duration;
import java.util.List;

/**
 * The {@code alerts} section: where Alertmanager sends notifications and the thresholds of the
 * generated Prometheus rules (the seeds' thresholds and the community's defaults).
 *
 * @param receivers every receiver gets every alert
 * @param downFor how long a server is unreachable before its Down alert fires
 * @param connectionsPercent connections in use, in percent of max_connections minus the reserved
 * @param replicationLag a replica's lag behind the primary
 * @param diskPercent use of the file system holding the data, WAL and backups
 * @param redisMemoryPercent Redis memory in use, in percent of maxmemory
 * @param cacheHitPercent the PostgreSQL buffer cache hit ratio below which to warn
 * @param longTransaction a transaction open this long
 * @param poolWaiting PgBouncer clients waiting for a server connection
 * @param poolMaxWait the longest a PgBouncer client has waited
 * @param deadTuples dead tuples in one table (and at least 10 % of its rows)
 * @param slowQueries statements running longer than 1 s at the same time
 */
public record AlertsSpec(
    List<Receiver> receivers,
    Duration groupWait,
    Duration groupInterval,
    Duration repeatInterval,
    Duration downFor,
    int connectionsPercent,
    Duration replicationLag,
    int diskPercent,
    int redisMemoryPercent,
    int cacheHitPercent,
    Duration longTransaction,
    int poolWaiting,
    Duration poolMaxWait,
    int deadTuples,
    int slowQueries) {

  public static final Key<List<Receiver>> RECEIVERS =
      Key.of(
          "receivers",
          Receiver.listType(),
          List.of(),
          "Where alerts go: a list of {name: ops, slack: URL}, {name: …, discord: URL}, {name: …,"
              + " webhook: URL} or {name: …, pagerduty: {routing_key: KEY, url: URL}} (url"
              + " defaults to PagerDuty's Events v2).");
  public static final Key<Duration> GROUP_WAIT =
      Key.of(
          "group_wait",
          Types.duration(),
          Duration.ofSeconds(30),
          "How long Alertmanager waits to group the first alerts of a group.");
  public static final Key<Duration> GROUP_INTERVAL =
      Key.of(
          "group_interval",
          Types.duration(),
          Duration.ofMinutes(5),
          "How long Alertmanager waits before it notifies about new alerts of a group.");
  public static final Key<Duration> REPEAT_INTERVAL =
      Key.of(
          "repeat_interval",
          Types.duration(),
          Duration.ofHours(4),
          "How often a still-firing alert is sent again.");
  public static final Key<Duration> DOWN_FOR =
      Key.of(
          "down_for",
          Types.duration(),
          Duration.ofMinutes(1),
          "How long a server must be unreachable before its Down alert fires.");
  public static final Key<Integer> CONNECTIONS_PERCENT =
      Key.of(
          "connections_percent",
          Types.integer(1, 100),
          80,
          "Warn when connections exceed this percent of max_connections minus the reserved ones.");
  public static final Key<Duration> REPLICATION_LAG =
      Key.of(
          "replication_lag",
          Types.duration(),
          Duration.ofSeconds(30),
          "Warn when a replica lags the primary by more than this.");
  public static final Key<Integer> DISK_PERCENT =
      Key.of(
          "disk_percent",
          Types.integer(1, 100),
          80,
          "Warn when the file system of the data, WAL or backup folder is fuller than this.");
  public static final Key<Integer> REDIS_MEMORY_PERCENT =
      Key.of(
          "redis_memory_percent",
          Types.integer(1, 100),
          90,
          "Warn when Redis uses more than this percent of its maxmemory.");
  public static final Key<Integer> CACHE_HIT_PERCENT =
      Key.of(
          "cache_hit_percent",
          Types.integer(1, 100),
          98,
          "Warn when PostgreSQL's buffer cache hit ratio falls below this percent.");
  public static final Key<Duration> LONG_TRANSACTION =
      Key.of(
          "long_transaction",
          Types.duration(),
          Duration.ofMinutes(2),
          "Warn when a transaction has been open (or idle in transaction) longer than this.");
  public static final Key<Integer> POOL_WAITING =
      Key.of(
          "pool_waiting",
          Types.integer(1, 1_000_000),
          20,
          "Warn when more PgBouncer clients than this wait for a server connection.");
  public static final Key<Duration> POOL_MAX_WAIT =
      Key.of(
          "pool_max_wait",
          Types.duration(),
          Duration.ofSeconds(15),
          "Warn when a PgBouncer client has waited longer than this.");
  public static final Key<Integer> DEAD_TUPLES =
      Key.of(
          "dead_tuples",
          Types.integer(1, Integer.MAX_VALUE),
          10_000,
          "Warn when a table has more dead tuples than this (and at least 10% of its rows).");

  public static final Key<Integer> SLOW_QUERIES =
      Key.of(
          "slow_queries",
          Types.integer(1, 1_000_000),
          10,
          "Warn when more statements than this run longer than 1 s at once.");

  public static final Section<AlertsSpec> SECTION =
      new Section<>(
          "alerts",
          "Alert receivers and rule thresholds (docs/monitoring.md)",
          List.of(
              RECEIVERS,
              GROUP_WAIT,
              GROUP_INTERVAL,
              REPEAT_INTERVAL,
              DOWN_FOR,
              CONNECTIONS_PERCENT,
              REPLICATION_LAG,
              DISK_PERCENT,
              REDIS_MEMORY_PERCENT,
              CACHE_HIT_PERCENT,
              LONG_TRANSACTION,
              POOL_WAITING,
              POOL_MAX_WAIT,
              DEAD_TUPLES,
              SLOW_QUERIES),
          v ->
              new AlertsSpec(
                  v.get(RECEIVERS),
                  v.get(GROUP_WAIT),
                  v.get(GROUP_INTERVAL),
                  v.get(REPEAT_INTERVAL),
                  v.get(DOWN_FOR),
                  v.get(CONNECTIONS_PERCENT),
                  v.get(REPLICATION_LAG),
                  v.get(DISK_PERCENT),
                  v.get(REDIS_MEMORY_PERCENT),
                  v.get(CACHE_HIT_PERCENT),
                  v.get(LONG_TRANSACTION),
                  v.get(POOL_WAITING),
                  v.get(POOL_MAX_WAIT),
                  v.get(DEAD_TUPLES),
                  v.get(SLOW_QUERIES)));

  /** The receiver named {@code name}. */
  public java.util.Optional<Receiver> receiver(String name) {
    return receivers.stream().filter(r -> r.name().equals(name)).findFirst();
  }
}
