package dev.strata.ops.monitor;

import static dev.strata.ops.monitor.Rule.fires;

import dev.strata.core.spec.AdvisorSpec;
import dev.strata.core.spec.AlertsSpec;
import dev.strata.core.spec.StrataSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The alert rules of a stack, from strata.yaml's thresholds: the seeds' (connections 80 %, lag 30
 * s) and the community's well-known rules (awesome-prometheus-alerts) on the metric names the
 * Debian exporters serve. Every rule carries its promtool test case.
 */
public final class AlertRules {
  private static final String RUNBOOK = "docs/monitoring.md#";
  private static final String PG = "postgres";
  private static final String BOUNCER = "pgbouncer";
  private static final String REDIS = "redis";
  private static final String BACKUP = "backup";
  private static final Map<String, String> AGENT =
      Map.of("job", "strata_agent", "instance", "agent");

  private AlertRules() {}

  /** Every rule for {@code spec}; the disk rule watches every file system but tmpfs. */
  public static List<Rule> of(StrataSpec spec) {
    return of(spec, List.of());
  }

  /**
   * Every rule for {@code spec}.
   *
   * @param diskMounts the mount points of the data, WAL and backup folders; empty for all
   */
  public static List<Rule> of(StrataSpec spec, List<String> diskMounts) {
    AlertsSpec a = spec.alerts();
    List<Rule> rules = new ArrayList<>();
    rules.addAll(postgres(a));
    rules.addAll(pgbouncer(a));
    rules.addAll(redis(a, spec.redis().snapshots()));
    rules.add(disk(a, diskMounts));
    if (spec.backup().enabled()) {
      rules.addAll(backups(spec.advisor().get(AdvisorSpec.BACKUP_MAX_AGE)));
    }
    rules.add(
        new Rule(
            "strata",
            "MonitoringTargetDown",
            "up == 0",
            Duration.ofMinutes(5),
            "warning",
            "Prometheus cannot scrape {{ $labels.job }} ({{ $labels.instance }})",
            RUNBOOK + "targetdown: strata status; strata logs of the exporter or agent",
            fires(
                Map.of("up{job=\"strata_agent\", instance=\"agent\"}", "0x30"),
                Map.of("job", "strata_agent", "instance", "agent"))));
    return rules;
  }

  private static Rule disk(AlertsSpec a, List<String> mounts) {
    String selector =
        mounts.isEmpty()
            ? "fstype!~\"tmpfs|ramfs\""
            : "mountpoint=~\""
                + String.join("|", mounts.stream().map(AlertRules::regex).toList())
                + "\"";
    String mount = mounts.isEmpty() ? "/" : mounts.get(0);
    return new Rule(
        "strata",
        "DiskAlmostFull",
        "(1 - node_filesystem_avail_bytes{"
            + selector
            + "} / node_filesystem_size_bytes{"
            + selector
            + "}) * 100 > "
            + a.diskPercent(),
        Duration.ofMinutes(5),
        "warning",
        "The file system at {{ $labels.mountpoint }} is more than " + a.diskPercent() + "% full",
        RUNBOOK
            + "disk: it holds the data, WAL or backups; free space, expire backups"
            + " (backup.retention_full) or grow the disk",
        fires(
            Map.of(
                "node_filesystem_avail_bytes{instance=\"node\", mountpoint=\""
                    + mount
                    + "\", fstype=\"ext4\"}",
                "10x30",
                "node_filesystem_size_bytes{instance=\"node\", mountpoint=\""
                    + mount
                    + "\", fstype=\"ext4\"}",
                "100x30"),
            Map.of("instance", "node", "mountpoint", mount, "fstype", "ext4")));
  }

  /** A mount point as a PromQL regular expression (inside a double-quoted string). */
  private static String regex(String mount) {
    return mount.replaceAll("([.+*?()\\[\\]{}|^$])", "\\\\\\\\$1");
  }

  private static List<Rule> postgres(AlertsSpec a) {
    double lag = a.replicationLag().toMillis() / 1000.0;
    return List.of(
        new Rule(
            PG,
            "PostgresDown",
            "pg_up == 0 or up{job=\"postgres\"} == 0",
            a.downFor(),
            "critical",
            "PostgreSQL {{ $labels.instance }} is down",
            RUNBOOK + "postgresdown: strata status, strata logs postgres, then strata up",
            fires(
                Map.of("pg_up{job=\"postgres\", instance=\"postgres-1\"}", "0x30"),
                Map.of("job", PG, "instance", "postgres-1"))),
        new Rule(
            PG,
            "PostgresTooManyConnections",
            "sum by (instance) (pg_stat_activity_count) > on (instance) (max by (instance)"
                + " (pg_settings_max_connections) - max by (instance)"
                + " (pg_reserved_connections_superuser) - max by (instance)"
                + " (pg_reserved_connections_reserved)) * "
                + a.connectionsPercent() / 100.0,
            Duration.ofMinutes(2),
            "warning",
            "PostgreSQL {{ $labels.instance }} uses more than "
                + a.connectionsPercent()
                + "% of its connections",
            RUNBOOK + "connections: connect through PgBouncer (DATABASE_URL), find idle clients",
            fires(
                Map.of(
                    "pg_stat_activity_count{instance=\"postgres-1\", state=\"active\"}", "90x30",
                    "pg_settings_max_connections{instance=\"postgres-1\"}", "100x30",
                    "pg_reserved_connections_superuser{instance=\"postgres-1\"}", "3x30",
                    "pg_reserved_connections_reserved{instance=\"postgres-1\"}", "0x30"),
                Map.of("instance", "postgres-1"))),
        new Rule(
            PG,
            "PostgresReplicationLag",
            "pg_replication_lag > " + lag,
            Duration.ofMinutes(1),
            "warning",
            "PostgreSQL replica {{ $labels.instance }} lags more than "
                + lag
                + " s behind the primary",
            RUNBOOK + "lag: check the replica's disk and network, and long queries on it",
            fires(
                Map.of("pg_replication_lag{instance=\"postgres-2\"}", (lag + 10) + "x30"),
                Map.of("instance", "postgres-2"))),
        new Rule(
            PG,
            "PostgresDeadlocks",
            "increase(pg_stat_database_deadlocks[5m]) > 5",
            Duration.ofMinutes(1),
            "warning",
            "Deadlocks in {{ $labels.datname }} on {{ $labels.instance }}",
            RUNBOOK + "deadlocks: the server log names both statements; lock rows in one order",
            fires(
                Map.of(
                    "pg_stat_database_deadlocks{instance=\"postgres-1\", datname=\"app\"}",
                    "0+5x30"),
                Map.of("instance", "postgres-1", "datname", "app"))),
        new Rule(
            PG,
            "PostgresCacheHitRatioLow",
            "sum by (instance, datname) (rate(pg_stat_database_blks_hit[5m])) / (sum by (instance,"
                + " datname) (rate(pg_stat_database_blks_hit[5m])) + sum by (instance, datname)"
                + " (rate(pg_stat_database_blks_read[5m]))) < "
                + a.cacheHitPercent() / 100.0,
            Duration.ofMinutes(5),
            "warning",
            "Cache hit ratio of {{ $labels.datname }} is below " + a.cacheHitPercent() + "%",
            RUNBOOK + "cachehit: raise postgres.memory, or find the sequential scans",
            fires(
                Map.of(
                    "pg_stat_database_blks_hit{instance=\"postgres-1\", datname=\"app\"}",
                    "0+50x30",
                    "pg_stat_database_blks_read{instance=\"postgres-1\", datname=\"app\"}",
                    "0+50x30"),
                Map.of("instance", "postgres-1", "datname", "app"))),
        new Rule(
            PG,
            "PostgresLongTransaction",
            "pg_long_transactions_max_seconds{state=\"active\"} > "
                + a.longTransaction().toSeconds(),
            Duration.ofMinutes(1),
            "warning",
            "A transaction on {{ $labels.instance }} has run longer than "
                + a.longTransaction().toSeconds()
                + " s",
            RUNBOOK + "longtx: strata monitor shows it; pg_cancel_backend(pid) stops it",
            fires(
                Map.of(
                    "pg_long_transactions_max_seconds{instance=\"postgres-1\", state=\"active\"}",
                    "600x30"),
                Map.of("instance", "postgres-1", "state", "active"))),
        new Rule(
            PG,
            "PostgresIdleInTransaction",
            "pg_long_transactions_max_seconds{state=~\"idle in transaction.*\"} > "
                + a.longTransaction().toSeconds(),
            Duration.ofMinutes(1),
            "warning",
            "A session on {{ $labels.instance }} has been idle in a transaction longer than "
                + a.longTransaction().toSeconds()
                + " s",
            RUNBOOK + "idleintx: the application forgot a commit; it holds locks and blocks VACUUM",
            fires(
                Map.of(
                    "pg_long_transactions_max_seconds{instance=\"postgres-1\", state=\"idle in"
                        + " transaction\"}",
                    "600x30"),
                Map.of("instance", "postgres-1", "state", "idle in transaction"))),
        new Rule(
            PG,
            "PostgresSlowQueries",
            "pg_slow_queries_over_1s > " + a.slowQueries(),
            Duration.ofMinutes(2),
            "warning",
            "More than "
                + a.slowQueries()
                + " statements run longer than 1 s on {{ $labels.instance }}",
            RUNBOOK + "slowqueries: strata monitor lists them; EXPLAIN ANALYZE the worst",
            fires(
                Map.of(
                    "pg_slow_queries_over_1s{instance=\"postgres-1\"}",
                    (a.slowQueries() + 5) + "x30"),
                Map.of("instance", "postgres-1"))),
        new Rule(
            PG,
            "PostgresXidAgeHigh",
            "pg_database_xid_age > 500000000",
            Duration.ofMinutes(5),
            "warning",
            "Transaction ID age of {{ $labels.datname }} is over 500 M",
            RUNBOOK + "xid: strata maintain (VACUUM FREEZE); find what blocks autovacuum",
            fires(
                Map.of(
                    "pg_database_xid_age{instance=\"postgres-1\", datname=\"app\"}",
                    "600000000x30"),
                Map.of("instance", "postgres-1", "datname", "app"))),
        new Rule(
            PG,
            "PostgresXidAgeCritical",
            "pg_database_xid_age > 1000000000",
            Duration.ofMinutes(5),
            "critical",
            "Transaction ID age of {{ $labels.datname }} is over 1 B: wraparound comes at 2.1 B",
            RUNBOOK + "xid: VACUUM FREEZE now; PostgreSQL stops writes before wraparound",
            fires(
                Map.of(
                    "pg_database_xid_age{instance=\"postgres-1\", datname=\"app\"}",
                    "1100000000x30"),
                Map.of("instance", "postgres-1", "datname", "app"))),
        new Rule(
            PG,
            "PostgresDeadTuples",
            "pg_stat_user_tables_n_dead_tup > "
                + a.deadTuples()
                + " and pg_stat_user_tables_n_dead_tup / (pg_stat_user_tables_n_live_tup +"
                + " pg_stat_user_tables_n_dead_tup) >= 0.1",
            Duration.ofMinutes(10),
            "warning",
            "Table {{ $labels.relname }} of {{ $labels.datname }} has more than "
                + a.deadTuples()
                + " dead tuples",
            RUNBOOK + "deadtuples: strata maintain runs VACUUM; check autovacuum settings",
            fires(
                Map.of(
                    "pg_stat_user_tables_n_dead_tup{instance=\"postgres-1\", datname=\"app\","
                        + " relname=\"orders\"}",
                    (a.deadTuples() * 2) + "x30",
                    "pg_stat_user_tables_n_live_tup{instance=\"postgres-1\", datname=\"app\","
                        + " relname=\"orders\"}",
                    (a.deadTuples() * 2) + "x30"),
                Map.of("instance", "postgres-1", "datname", "app", "relname", "orders"))));
  }

  private static List<Rule> pgbouncer(AlertsSpec a) {
    return List.of(
        new Rule(
            BOUNCER,
            "PgBouncerDown",
            "pgbouncer_up == 0 or up{job=\"pgbouncer\"} == 0",
            a.downFor(),
            "critical",
            "PgBouncer {{ $labels.instance }} is down: applications cannot reach PostgreSQL",
            RUNBOOK + "pgbouncerdown: strata logs pooler, then strata up",
            fires(
                Map.of("pgbouncer_up{job=\"pgbouncer\", instance=\"pooler-1\"}", "0x30"),
                Map.of("job", BOUNCER, "instance", "pooler-1"))),
        new Rule(
            BOUNCER,
            "PgBouncerClientsWaiting",
            "sum by (instance, database) (pgbouncer_waiting_clients) > " + a.poolWaiting(),
            Duration.ofMinutes(2),
            "warning",
            "More than "
                + a.poolWaiting()
                + " clients wait for a connection to {{ $labels.database }}",
            RUNBOOK + "poolwaiting: raise pooler.pool_size, or find slow transactions",
            fires(
                Map.of(
                    "pgbouncer_waiting_clients{instance=\"pooler-1\", database=\"app\","
                        + " user=\"app_user\"}",
                    (a.poolWaiting() + 5) + "x30"),
                Map.of("instance", "pooler-1", "database", "app"))),
        new Rule(
            BOUNCER,
            "PgBouncerMaxWait",
            "max by (instance, database) (pgbouncer_max_wait_seconds) > "
                + a.poolMaxWait().toSeconds(),
            Duration.ofMinutes(1),
            "warning",
            "A client has waited over "
                + a.poolMaxWait().toSeconds()
                + " s for a connection to {{ $labels.database }}",
            RUNBOOK + "poolwaiting: the pool is exhausted; raise pooler.pool_size",
            fires(
                Map.of(
                    "pgbouncer_max_wait_seconds{instance=\"pooler-1\", database=\"app\","
                        + " user=\"app_user\"}",
                    (a.poolMaxWait().toSeconds() + 30) + "x30"),
                Map.of("instance", "pooler-1", "database", "app"))));
  }

  private static List<Rule> redis(AlertsSpec a, boolean snapshots) {
    List<Rule> rules = new ArrayList<>();
    rules.add(
        new Rule(
            REDIS,
            "RedisDown",
            "redis_up == 0 or up{job=\"redis\"} == 0",
            a.downFor(),
            "critical",
            "Redis {{ $labels.instance }} is down",
            RUNBOOK + "redisdown: strata logs redis, then strata up",
            fires(
                Map.of("redis_up{job=\"redis\", instance=\"redis-1\"}", "0x30"),
                Map.of("job", REDIS, "instance", "redis-1"))));
    rules.add(
        new Rule(
            REDIS,
            "RedisMemoryHigh",
            "redis_memory_max_bytes > 0 and redis_memory_used_bytes / redis_memory_max_bytes * 100"
                + " > "
                + a.redisMemoryPercent(),
            Duration.ofMinutes(5),
            "warning",
            "Redis {{ $labels.instance }} uses more than "
                + a.redisMemoryPercent()
                + "% of maxmemory",
            RUNBOOK + "redismemory: raise redis.maxmemory; strata maintain finds big keys",
            fires(
                Map.of(
                    "redis_memory_used_bytes{instance=\"redis-1\"}", "95x30",
                    "redis_memory_max_bytes{instance=\"redis-1\"}", "100x30"),
                Map.of("instance", "redis-1"))));
    rules.add(
        new Rule(
            REDIS,
            "RedisEvictions",
            "increase(redis_evicted_keys_total[5m]) > 0",
            Duration.ofMinutes(5),
            "warning",
            "Redis {{ $labels.instance }} evicts keys: it is at maxmemory",
            RUNBOOK + "evictions: a cache may evict; sessions and locks must not: raise maxmemory",
            fires(
                Map.of("redis_evicted_keys_total{instance=\"redis-1\"}", "0+10x30"),
                Map.of("instance", "redis-1"))));
    rules.add(
        new Rule(
            REDIS,
            "RedisRejectedConnections",
            "increase(redis_rejected_connections_total[1m]) > 0",
            Duration.ofMinutes(1),
            "critical",
            "Redis {{ $labels.instance }} rejects connections (maxclients reached)",
            RUNBOOK + "rejected: find the client that leaks connections (CLIENT LIST)",
            fires(
                Map.of("redis_rejected_connections_total{instance=\"redis-1\"}", "0+3x30"),
                Map.of("instance", "redis-1"))));
    if (snapshots) {
      rules.add(
          new Rule(
              REDIS,
              "RedisNoRdbSave",
              "time() - redis_rdb_last_save_timestamp_seconds > 172800",
              Duration.ofMinutes(5),
              "warning",
              "Redis {{ $labels.instance }} has not written an RDB snapshot for 48 h",
              RUNBOOK + "rdb: strata logs redis says why BGSAVE fails (disk full, fork)",
              Rule.firesAt(
                  Duration.ofHours(49),
                  Map.of("redis_rdb_last_save_timestamp_seconds{instance=\"redis-1\"}", "0x3000"),
                  Map.of("instance", "redis-1"))));
      rules.add(
          new Rule(
              REDIS,
              "RedisRdbSaveFailed",
              "redis_rdb_last_bgsave_status == 0",
              Duration.ofMinutes(1),
              "critical",
              "Redis {{ $labels.instance }} failed to write its last RDB snapshot",
              RUNBOOK + "rdb: strata logs redis says why BGSAVE fails (disk full, fork)",
              fires(
                  Map.of("redis_rdb_last_bgsave_status{instance=\"redis-1\"}", "0x30"),
                  Map.of("instance", "redis-1"))));
    }
    return rules;
  }

  /**
   * The backups, on the {@code strata_backup_*} meters the agent serves: a failed backup, none
   * newer than {@code maxAge} ({@code advisor.backup_max_age}), a failed drill, failing archiving.
   */
  private static List<Rule> backups(Duration maxAge) {
    String agent = "{job=\"strata_agent\", instance=\"agent\"}";
    long hours = maxAge.toHours();
    return List.of(
        new Rule(
            BACKUP,
            "BackupFailed",
            "strata_backup_last_success == 0",
            Duration.ofMinutes(1),
            "critical",
            "The last backup attempt failed",
            RUNBOOK + "backupfailed: strata backup list, strata logs postgres; strata backup full",
            fires(Map.of("strata_backup_last_success" + agent, "0x30"), AGENT)),
        new Rule(
            BACKUP,
            "BackupTooOld",
            "strata_backup_age_seconds > " + maxAge.toSeconds(),
            Duration.ofMinutes(10),
            "warning",
            "The newest backup is older than " + hours + " h",
            RUNBOOK
                + "backuptooold: is the agent running its backup.schedule? strata agent status;"
                + " strata backup diff",
            fires(
                Map.of("strata_backup_age_seconds" + agent, (maxAge.toSeconds() + 3600) + "x30"),
                AGENT)),
        new Rule(
            BACKUP,
            "RestoreDrillFailed",
            "strata_backup_drill_last_success == 0",
            Duration.ofMinutes(1),
            "critical",
            "The last restore drill failed: the backups may not restore",
            RUNBOOK
                + "drillfailed: strata backup list; strata drill restore says which check failed",
            fires(Map.of("strata_backup_drill_last_success" + agent, "0x30"), AGENT)),
        new Rule(
            BACKUP,
            "WalArchivingFailing",
            "strata_backup_archive_failing == 1",
            Duration.ofMinutes(5),
            "critical",
            "WAL archiving fails: point-in-time restore stops at the last archived segment",
            RUNBOOK
                + "archiving: strata status says why (repository unwritable or unreachable);"
                + " the queue is bounded by archive-push-queue-max",
            fires(Map.of("strata_backup_archive_failing" + agent, "1x30"), AGENT)));
  }
}
