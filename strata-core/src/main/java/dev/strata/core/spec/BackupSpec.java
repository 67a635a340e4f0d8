package dev.strata.core.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code backup} section: pgBackRest's local, encrypted repository, WAL archiving, retention
 * and the restore drill's own checks. Every key has a default, so backups are on with no section.
 * Built from the validated {@link Values} by key, never by position.
 */
public final class BackupSpec extends KeyedSpec {

  /** A user check the drill runs on the restored copy. */
  public record Check(String name, String database, String sql, String expect) {}

  public static final Key<Boolean> ENABLED =
      Key.of(
          "enabled",
          Types.bool(),
          true,
          "Archive WAL to the repository and allow strata backup / restore / drill.");
  public static final Key<String> PATH =
      Key.of(
          "path",
          Types.string("a folder, relative to strata.yaml's"),
          ".strata/backups",
          "The local pgBackRest repository.");
  public static final Key<String> REPOSITORY =
      Key.of(
          "repository",
          Types.oneOf("local", "s3"),
          "local",
          "Where pgBackRest keeps backups and WAL: local (backup.path) or s3 (the s3_* keys);"
              + " Strata's own records and Redis backups stay in backup.path.");
  public static final Key<Optional<String>> S3_ENDPOINT =
      Key.of(
          "s3_endpoint",
          Types.autoOr(Types.string("host or host:port")),
          Optional.empty(),
          "The S3-compatible endpoint, e.g. s3.eu-west-1.amazonaws.com or localhost:9000 (HTTPS;"
              + " the certificate must name this host).");
  public static final Key<Optional<String>> S3_BUCKET =
      Key.of(
          "s3_bucket",
          Types.autoOr(Types.string("a bucket name")),
          Optional.empty(),
          "The bucket (it must exist).");
  public static final Key<String> S3_REGION =
      Key.of("s3_region", Types.string("a region"), "us-east-1", "The bucket's region.");
  public static final Key<String> S3_PATH =
      Key.of(
          "s3_path",
          Types.string("a path in the bucket"),
          "/strata",
          "The repository's path in the bucket.");
  public static final Key<Boolean> S3_PATH_STYLE =
      Key.of(
          "s3_path_style",
          Types.bool(),
          false,
          "Path-style URLs (endpoint/bucket), as MinIO and most S3-compatible servers need;"
              + " false is AWS's bucket.endpoint.");
  public static final Key<Optional<String>> S3_KEY =
      Key.of(
          "s3_key",
          Types.autoOr(Types.string("text, best ${VAR}")),
          Optional.empty(),
          "The access key id; write ${VAR} so it comes from the environment, not the file.");
  public static final Key<Optional<String>> S3_SECRET =
      Key.of(
          "s3_secret",
          Types.autoOr(Types.string("text, best ${VAR}")),
          Optional.empty(),
          "The secret access key; write ${VAR} so it comes from the environment, not the file.");
  public static final Key<Optional<String>> S3_CA_FILE =
      Key.of(
          "s3_ca_file",
          Types.autoOr(Types.string("a file, relative to strata.yaml's folder")),
          Optional.empty(),
          "A CA certificate to verify the endpoint with instead of the system's (a private CA).");
  public static final Key<Boolean> ENCRYPTION =
      Key.of(
          "encryption",
          Types.bool(),
          true,
          "Encrypt the repository (aes-256-cbc; the passphrase is in .strata/secrets: keep a copy).");
  public static final Key<String> COMPRESS =
      Key.of(
          "compress",
          Types.oneOf("zst", "lz4", "gz", "bz2", "none"),
          "zst",
          "Compression of backups and archived WAL.");
  public static final Key<Optional<Integer>> PROCESS_MAX =
      Key.of(
          "process_max",
          Types.autoOr(Types.integer(1, 64)),
          Optional.empty(),
          "Parallel processes of a backup or restore; auto is half the cores.");
  public static final Key<DataSize> ARCHIVE_QUEUE_MAX =
      Key.of(
          "archive_queue_max",
          Types.size(DataSize.ofMegabytes(64)),
          DataSize.ofMegabytes(1024),
          "WAL kept waiting while the repository is unreachable; past it WAL is dropped"
              + " (PostgreSQL keeps running, PITR has a gap).");
  public static final Key<Duration> ARCHIVE_TIMEOUT =
      Key.of(
          "archive_timeout",
          Types.duration(),
          Duration.ofSeconds(60),
          "The longest a change waits before its WAL is archived (the RPO of a quiet database).");
  public static final Key<Integer> RETENTION_FULL =
      Key.of(
          "retention_full",
          Types.integer(1, 9999),
          2,
          "Full backups kept; older ones, with their differentials and WAL, are expired.");
  public static final Key<Optional<Integer>> RETENTION_DIFF =
      Key.of(
          "retention_diff",
          Types.autoOr(Types.integer(1, 9999)),
          Optional.empty(),
          "Differential backups kept; auto keeps those of every kept full backup.");
  public static final Key<Optional<Integer>> RETENTION_DAILY =
      Key.of(
          "retention_daily",
          Types.autoOr(Types.integer(1, 9999)),
          Optional.empty(),
          "GFS: for this many days, the newest full backup of each day is kept too (auto: off);"
              + " Strata then expires by this policy, not pgBackRest's count alone.");
  public static final Key<Optional<Integer>> RETENTION_WEEKLY =
      Key.of(
          "retention_weekly",
          Types.autoOr(Types.integer(1, 9999)),
          Optional.empty(),
          "GFS: for this many ISO weeks, the newest full backup of each week is kept (auto: off).");
  public static final Key<Optional<Integer>> RETENTION_MONTHLY =
      Key.of(
          "retention_monthly",
          Types.autoOr(Types.integer(1, 9999)),
          Optional.empty(),
          "GFS: for this many months, the newest full backup of each month is kept (auto: off).");
  public static final Key<Optional<Integer>> RETENTION_REDIS =
      Key.of(
          "retention_redis",
          Types.autoOr(Types.integer(1, 9999)),
          Optional.empty(),
          "Days a Redis backup (strata backup redis) is kept; older ones are removed after each"
              + " Redis backup and by strata backup expire, the newest always kept (auto: as long"
              + " as the oldest PostgreSQL backup kept).");
  public static final Key<Map<String, Map<String, String>>> CHECKS =
      Key.of(
          "checks",
          Types.mapOf(Types.mapOf(Types.string("text"))),
          Map.of(),
          "The drill's own checks: name: {sql: ..., expect: ..., database: ...}.");

  public static final Key<BackupSchedule> SCHEDULE =
      Key.of(
          "schedule",
          BackupSchedule.type(),
          BackupSchedule.DEFAULT,
          "When the agent takes backups and runs drills: full, diff, incr, drill, redis, each a"
              + " quoted cron expression (\"0 1 * * sun\") or off; the drill waits for"
              + " agent.maintenance_window.");

  public static final Section<BackupSpec> SECTION =
      new Section<>(
          "backup",
          "Backups (pgBackRest), WAL archiving and restore drills",
          List.of(
              ENABLED,
              PATH,
              REPOSITORY,
              S3_ENDPOINT,
              S3_BUCKET,
              S3_REGION,
              S3_PATH,
              S3_PATH_STYLE,
              S3_KEY,
              S3_SECRET,
              S3_CA_FILE,
              ENCRYPTION,
              COMPRESS,
              PROCESS_MAX,
              ARCHIVE_QUEUE_MAX,
              ARCHIVE_TIMEOUT,
              RETENTION_FULL,
              RETENTION_DIFF,
              RETENTION_DAILY,
              RETENTION_WEEKLY,
              RETENTION_MONTHLY,
              RETENTION_REDIS,
              CHECKS,
              SCHEDULE),
          BackupSpec::new);

  private BackupSpec(Values values) {
    super(values);
  }

  /** Whether PostgreSQL archives WAL and {@code strata backup} works. */
  public boolean enabled() {
    return values.get(ENABLED);
  }

  /** The repository folder, relative to strata.yaml's folder. */
  public String path() {
    return values.get(PATH);
  }

  /** local or s3. */
  public String repository() {
    return values.get(REPOSITORY);
  }

  /** Whether pgBackRest's repository is in S3. */
  public boolean s3() {
    return repository().equals("s3");
  }

  /** The S3 repository's settings; meaningful when {@link #s3()}. */
  public S3 s3Settings() {
    return new S3(
        values.get(S3_ENDPOINT).orElse(""),
        values.get(S3_BUCKET).orElse(""),
        values.get(S3_REGION),
        values.get(S3_PATH),
        values.get(S3_PATH_STYLE),
        values.get(S3_KEY).orElse(""),
        values.get(S3_SECRET).orElse(""),
        values.get(S3_CA_FILE).orElse(""));
  }

  /**
   * An S3-compatible repository.
   *
   * @param endpoint host or host:port
   * @param caFile a CA file relative to strata.yaml's folder, or empty for the system's
   */
  public record S3(
      String endpoint,
      String bucket,
      String region,
      String path,
      boolean pathStyle,
      String key,
      String secret,
      String caFile) {
    @Override
    public String toString() {
      return "S3[" + endpoint + "/" + bucket + path + "]"; // never the credentials
    }
  }

  /** Whether the repository is encrypted (aes-256-cbc, passphrase in the secrets). */
  public boolean encryption() {
    return values.get(ENCRYPTION);
  }

  /** pgBackRest's compress-type. */
  public String compress() {
    return values.get(COMPRESS);
  }

  /** pgBackRest's process-max; empty is half the machine's cores. */
  public Optional<Integer> processMax() {
    return values.get(PROCESS_MAX);
  }

  /** WAL kept waiting while the repository is unreachable, before pgBackRest drops it. */
  public DataSize archiveQueueMax() {
    return values.get(ARCHIVE_QUEUE_MAX);
  }

  /** PostgreSQL's archive_timeout: the RPO of a quiet database. */
  public Duration archiveTimeout() {
    return values.get(ARCHIVE_TIMEOUT);
  }

  /** Full backups kept. */
  public int retentionFull() {
    return values.get(RETENTION_FULL);
  }

  /** Differential backups kept; empty is as many as the kept full backups have. */
  public Optional<Integer> retentionDiff() {
    return values.get(RETENTION_DIFF);
  }

  /** GFS: days for which each day's newest full backup is kept; empty is off. */
  public Optional<Integer> retentionDaily() {
    return values.get(RETENTION_DAILY);
  }

  /** GFS: ISO weeks for which each week's newest full backup is kept; empty is off. */
  public Optional<Integer> retentionWeekly() {
    return values.get(RETENTION_WEEKLY);
  }

  /** GFS: months for which each month's newest full backup is kept; empty is off. */
  public Optional<Integer> retentionMonthly() {
    return values.get(RETENTION_MONTHLY);
  }

  /** Days a Redis backup is kept; empty is as long as the oldest PostgreSQL backup kept. */
  public Optional<Integer> retentionRedis() {
    return values.get(RETENTION_REDIS);
  }

  /** Whether a GFS policy is set (any of daily, weekly, monthly). */
  public boolean gfs() {
    return retentionDaily().isPresent()
        || retentionWeekly().isPresent()
        || retentionMonthly().isPresent();
  }

  /** The drill's own checks, in file order. */
  public List<Check> checks() {
    return checks(values.get(CHECKS));
  }

  /** The agent's backup and drill schedules. */
  public BackupSchedule schedule() {
    return values.get(SCHEDULE);
  }

  @Override
  public String toString() {
    // The S3 credentials never print, not even in a debugging message.
    return values.toString().replaceAll("(s3_key|s3_secret)=[^,}]*", "$1=***");
  }

  private static List<Check> checks(Map<String, Map<String, String>> raw) {
    List<Check> checks = new ArrayList<>();
    raw.forEach(
        (name, c) ->
            checks.add(
                new Check(
                    name,
                    c.getOrDefault("database", ""),
                    c.getOrDefault("sql", ""),
                    c.getOrDefault("expect", ""))));
    return List.copyOf(checks);
  }

  /** Each check needs {@code sql} and {@code expect}, and no other field. */
  static List<SpecProblem> crossCheck(Values v) {
    List<SpecProblem> problems = new ArrayList<>();
    if (v.get(REPOSITORY).equals("s3")) {
      for (Key<Optional<String>> k : List.of(S3_ENDPOINT, S3_BUCKET, S3_KEY, S3_SECRET)) {
        if (v.get(k).filter(x -> !x.isBlank()).isEmpty()) {
          problems.add(
              new SpecProblem(
                  v.location(REPOSITORY),
                  v.path(k),
                  "repository: s3 needs "
                      + k.name()
                      + (k == S3_KEY || k == S3_SECRET ? " (write ${VAR})" : "")));
        }
      }
    }
    v.get(CHECKS)
        .forEach(
            (name, c) -> {
              List<String> unknown =
                  c.keySet().stream()
                      .filter(k -> !List.of("sql", "expect", "database").contains(k))
                      .toList();
              if (!c.containsKey("sql") || !c.containsKey("expect") || !unknown.isEmpty()) {
                problems.add(
                    new SpecProblem(
                        v.location(CHECKS),
                        v.path(CHECKS) + "." + name,
                        "a check has sql and expect (and optionally database)"
                            + (unknown.isEmpty() ? "" : "; unknown: " + unknown)));
              }
            });
    return problems;
  }
}
