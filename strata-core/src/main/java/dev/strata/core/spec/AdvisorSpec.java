package dev.strata.core.spec;

import java.time.Duration;
import java.util.List;

/**
 * The {@code advisor} section: the thresholds {@code strata monitor} judges each check by and
 * {@code strata maintain} acts on. Every key has a default (the seeds' thresholds and the
 * well-known community ones), so the section is optional. Built from the validated {@link Values}
 * by key, never by position.
 */
public final class AdvisorSpec extends KeyedSpec {

  public static final Key<Integer> CONNECTIONS_WARN =
      Key.of(
          "connections_warn",
          Types.integer(1, 100),
          80,
          "Connections in use, in percent of max_connections minus the reserved ones, that warn.");
  public static final Key<Integer> CONNECTIONS_CRITICAL =
      Key.of(
          "connections_critical",
          Types.integer(1, 100),
          95,
          "Connections in use, in percent of max_connections minus the reserved ones, that are"
              + " critical.");
  public static final Key<Duration> SLOW_QUERY =
      Key.of(
          "slow_query",
          Types.duration(),
          Duration.ofMillis(100),
          "A statement of pg_stat_statements whose mean time exceeds this is slow.");
  public static final Key<Duration> VERY_SLOW_QUERY =
      Key.of(
          "very_slow_query",
          Types.duration(),
          Duration.ofSeconds(1),
          "A statement of pg_stat_statements whose mean time exceeds this is very slow.");
  public static final Key<Integer> VERY_SLOW_QUERIES_CRITICAL =
      Key.of(
          "very_slow_queries_critical",
          Types.integer(1, 1_000_000),
          10,
          "More very slow statements than this are critical (fewer warn).");
  public static final Key<Integer> XID_AGE_WARN =
      Key.of(
          "xid_age_warn",
          Types.integer(1000, 2_000_000_000),
          500_000_000,
          "Transaction ID age of a database (age(datfrozenxid)) that warns; maintain freezes the"
              + " tables past it (VACUUM (FREEZE, ANALYZE)).");
  public static final Key<Integer> XID_AGE_CRITICAL =
      Key.of(
          "xid_age_critical",
          Types.integer(1000, 2_000_000_000),
          1_000_000_000,
          "Transaction ID age of a database that is critical (wraparound stops writes at 2^31).");
  public static final Key<Integer> DEAD_TUPLES_PERCENT =
      Key.of(
          "dead_tuples_percent",
          Types.integer(1, 100),
          20,
          "Dead rows, in percent of a table's rows, past which it warns and maintain vacuums it.");
  public static final Key<Integer> DEAD_TUPLES_MIN =
      Key.of(
          "dead_tuples_min",
          Types.integer(0, Integer.MAX_VALUE),
          1000,
          "Tables with fewer dead rows than this are left alone, whatever their percentage.");
  public static final Key<Integer> BLOAT_PERCENT =
      Key.of(
          "bloat_percent",
          Types.integer(1, 100),
          30,
          "Estimated bloat of a table or index, in percent of its size, that warns; maintain"
              + " reindexes such an index.");
  public static final Key<DataSize> BLOAT_MIN_SIZE =
      Key.of(
          "bloat_min_size",
          Types.size(new DataSize(0)),
          DataSize.ofMegabytes(10),
          "Tables and indexes smaller than this are never judged bloated.");
  public static final Key<Integer> CACHE_HIT_PERCENT =
      Key.of(
          "cache_hit_percent",
          Types.integer(1, 100),
          90,
          "A buffer cache hit ratio (PostgreSQL) or keyspace hit ratio (Redis) below this warns.");
  public static final Key<Duration> BLOCKED_CRITICAL =
      Key.of(
          "blocked_critical",
          Types.duration(),
          Duration.ofMinutes(1),
          "A session blocked by another's lock warns; blocked longer than this, critical.");
  public static final Key<Duration> REPLICATION_LAG =
      Key.of(
          "replication_lag",
          Types.duration(),
          Duration.ofSeconds(30),
          "Replication lag of a standby (PostgreSQL replay lag) that warns.");
  public static final Key<Integer> REDIS_MEMORY_PERCENT =
      Key.of(
          "redis_memory_percent",
          Types.integer(1, 100),
          90,
          "Redis used memory, in percent of maxmemory, that warns.");
  public static final Key<Integer> REDIS_FRAGMENTATION_PERCENT =
      Key.of(
          "redis_fragmentation_percent",
          Types.integer(100, 10_000),
          150,
          "Redis mem_fragmentation_ratio, in percent, that warns (only past 64mb of resident"
              + " memory).");
  public static final Key<DataSize> REDIS_BIG_KEY =
      Key.of(
          "redis_big_key",
          Types.size(new DataSize(1)),
          DataSize.ofMegabytes(10),
          "A Redis key using more memory than this (MEMORY USAGE) is a big key.");
  public static final Key<Integer> REDIS_SCAN_KEYS =
      Key.of(
          "redis_scan_keys",
          Types.integer(0, 10_000_000),
          10_000,
          "At most this many keys are measured when looking for big keys (SCAN, then MEMORY"
              + " USAGE).");
  public static final Key<Duration> BACKUP_MAX_AGE =
      Key.of(
          "backup_max_age",
          Types.duration(),
          Duration.ofHours(26),
          "The newest backup older than this warns (a daily backup plus a margin).");

  public static final Section<AdvisorSpec> SECTION =
      new Section<>(
          "advisor",
          "Thresholds of strata monitor and strata maintain",
          List.of(
              CONNECTIONS_WARN,
              CONNECTIONS_CRITICAL,
              SLOW_QUERY,
              VERY_SLOW_QUERY,
              VERY_SLOW_QUERIES_CRITICAL,
              XID_AGE_WARN,
              XID_AGE_CRITICAL,
              DEAD_TUPLES_PERCENT,
              DEAD_TUPLES_MIN,
              BLOAT_PERCENT,
              BLOAT_MIN_SIZE,
              CACHE_HIT_PERCENT,
              BLOCKED_CRITICAL,
              REPLICATION_LAG,
              REDIS_MEMORY_PERCENT,
              REDIS_FRAGMENTATION_PERCENT,
              REDIS_BIG_KEY,
              REDIS_SCAN_KEYS,
              BACKUP_MAX_AGE),
          AdvisorSpec::new);

  private AdvisorSpec(Values values) {
    super(values);
  }

  /** The value of one of this section's keys. */
  public <T> T get(Key<T> key) {
    return values.get(key);
  }

  /** The key's path in strata.yaml, {@code advisor.slow_query}, for a finding's threshold. */
  public static String path(Key<?> key) {
    return SECTION.name() + "." + key.name();
  }
}
