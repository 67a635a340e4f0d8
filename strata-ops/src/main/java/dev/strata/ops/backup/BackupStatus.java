package dev.strata.ops.backup;

import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The backup state {@code strata status} shows and the metrics export: the RPO (archive lag: the
 * age of the last archived WAL), whether archiving is failing and how much WAL waits, the last
 * backup and the last attempt's result, and the last drill with its restore time (RTO). Read from
 * PostgreSQL's {@code pg_stat_archiver}, pgBackRest's {@code info} and Strata's journals; a part
 * that cannot be read is reported as such, never thrown: status must answer while things fail.
 */
public final class BackupStatus {
  private static final DateTimeFormatter PG =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSx");
  private static final DateTimeFormatter LOG =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
  private static final String ARCHIVER =
      "SELECT coalesce(last_archived_wal, ''), coalesce(to_char(last_archived_time AT TIME ZONE"
          + " 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00', ''), coalesce(last_failed_wal, ''),"
          + " coalesce(to_char(last_failed_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') ||"
          + " '+00', ''), failed_count, (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name"
          + " LIKE '%.ready'), current_setting('wal_segment_size') FROM pg_stat_archiver";

  private BackupStatus() {}

  /** The archiver's view, from the running primary; empty when it does not answer. */
  public record Archive(
      Optional<String> lastArchivedWal,
      Optional<Instant> lastArchivedAt,
      Optional<String> lastFailedWal,
      Optional<Instant> lastFailedAt,
      long failedCount,
      long readySegments,
      long segmentBytes) {

    /** Whether the newest archiving attempt failed (the repository is unwritable, S3 down...). */
    public boolean failing() {
      return lastFailedAt.isPresent()
          && (lastArchivedAt.isEmpty() || lastFailedAt.get().isAfter(lastArchivedAt.get()));
    }

    /** The RPO now: how long ago the last WAL was archived; empty when none was. */
    public Optional<Duration> lag(Instant now) {
      return lastArchivedAt.map(t -> Duration.between(t, now));
    }
  }

  /** Reads {@code pg_stat_archiver} of the stack's primary. */
  public static Optional<Archive> archive(ComponentContext context) {
    Exec.Result r =
        new Psql(context.tools().pgBinDir())
            .superuser(
                context.runAs(),
                context.socketDir(),
                context.postgresPrimary().port(),
                Heartbeat.DATABASE,
                ARCHIVER)
            .timeout(Duration.ofSeconds(10))
            .run();
    if (!r.ok()) {
      return Optional.empty();
    }
    String[] f = r.output().strip().split("\\|", -1);
    if (f.length < 7) {
      return Optional.empty();
    }
    return Optional.of(
        new Archive(
            nonEmpty(f[0]),
            nonEmpty(f[1]).map(BackupStatus::time),
            nonEmpty(f[2]),
            nonEmpty(f[3]).map(BackupStatus::time),
            Long.parseLong(f[4].strip()),
            Long.parseLong(f[5].strip()),
            segmentBytes(f[6].strip())));
  }

  /**
   * The whole state, in the form of {@code status --json}'s {@code backup} object: {@code
   * archiving} (ok, failing, idle or unknown), {@code archive_lag_s} (the RPO), the queue, {@code
   * last_backup}, {@code last_attempt}, {@code last_drill} (with {@code rto_ms}).
   */
  public static Map<String, Object> of(ComponentContext context) {
    Map<String, Object> m = new LinkedHashMap<>();
    Instant now = Instant.now();
    Optional<Archive> a = archive(context);
    PgBackRest engine = new PgBackRest(context);
    m.put(
        "archiving",
        a.map(x -> x.failing() ? "failing" : x.lastArchivedAt().isPresent() ? "ok" : "idle")
            .orElse("unknown"));
    m.put("archive_lag_s", a.flatMap(x -> x.lag(now)).map(Duration::toSeconds).orElse(null));
    m.put("last_archived_wal", a.flatMap(Archive::lastArchivedWal).orElse(null));
    m.put(
        "last_archived_at", a.flatMap(Archive::lastArchivedAt).map(Instant::toString).orElse(null));
    m.put(
        "failing_since",
        a.filter(Archive::failing)
            .flatMap(Archive::lastFailedAt)
            .map(Instant::toString)
            .orElse(null));
    m.put("failed_count", a.map(Archive::failedCount).orElse(null));
    m.put("queue_bytes", a.map(x -> x.readySegments() * x.segmentBytes()).orElse(null));
    m.put("queue_max_bytes", context.spec().backup().archiveQueueMax().megabytes() * 1024 * 1024);
    Optional<Instant> dropped = lastDrop(engine);
    m.put("wal_dropped_at", null);
    // A drop before the newest full backup no longer matters: restores start after it. The
    // repository may be unreadable meanwhile (that is often why WAL was dropped): then it counts.
    Optional<Instant> lastFull = Optional.empty();
    try {
      List<BackupSet> sets = new Backups(context, l -> {}).list();
      lastFull =
          sets.stream()
              .filter(x -> x.type().equals("full"))
              .map(BackupSet::stop)
              .reduce((x, y) -> y);
      if (sets.isEmpty()) {
        m.put("last_backup", null);
      } else {
        BackupSet last = sets.get(sets.size() - 1);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("label", last.label());
        b.put("type", last.type());
        b.put("stop", last.stop().toString());
        b.put("age_s", Duration.between(last.stop(), now).toSeconds());
        m.put("last_backup", b);
      }
    } catch (RuntimeException e) {
      m.put("last_backup", null);
      m.put("error", String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (dropped.isPresent() && (lastFull.isEmpty() || dropped.get().isAfter(lastFull.get()))) {
      m.put("wal_dropped_at", dropped.get().toString());
    }
    List<BackupJournal.Attempt> attempts = new BackupJournal(engine).attempts();
    List<BackupJournal.Attempt> pg =
        attempts.stream().filter(x -> !x.type().equals("redis")).toList();
    m.put("last_attempt", pg.isEmpty() ? null : attempt(pg.get(pg.size() - 1)));
    List<Map<String, Object>> drills = Drill.recorded(engine);
    if (drills.isEmpty()) {
      m.put("last_drill", null);
    } else {
      Map<String, Object> d = drills.get(drills.size() - 1);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("ok", d.get("ok"));
      out.put("at", d.get("at"));
      out.put("backup_set", d.get("backup_set"));
      out.put("rto_ms", d.get("rto_ms"));
      m.put("last_drill", out);
    }
    return m;
  }

  /** The lines {@code strata status} prints under its table. */
  @SuppressWarnings("unchecked")
  public static List<String> lines(Map<String, Object> m) {
    List<String> out = new ArrayList<>();
    String archiving = (String) m.get("archiving");
    StringBuilder a = new StringBuilder("backup: WAL archiving ").append(archiving);
    if (m.get("archive_lag_s") != null) {
      a.append("; RPO (last WAL archived) ").append(m.get("archive_lag_s")).append(" s ago");
    }
    out.add(a.toString());
    if ("failing".equals(archiving)) {
      out.add(
          "backup: WAL ARCHIVING IS FAILING since "
              + m.get("failing_since")
              + " ("
              + m.get("failed_count")
              + " failures; "
              + m.get("queue_bytes")
              + " bytes of WAL waiting, at most "
              + m.get("queue_max_bytes")
              + " are kept, then WAL is dropped and PITR has a gap). PostgreSQL keeps running;"
              + " check the repository (strata logs postgres)");
    }
    if (m.get("wal_dropped_at") != null) {
      out.add(
          "backup: WAL WAS DROPPED at "
              + m.get("wal_dropped_at")
              + " (the archive queue passed backup.archive_queue_max): restores to a time after it"
              + " need a newer backup; take one now (strata backup full)");
    }
    Map<String, Object> b = (Map<String, Object>) m.get("last_backup");
    out.add(
        b == null
            ? "backup: no backup yet (strata backup full)"
                + (m.get("error") == null ? "" : ": " + m.get("error"))
            : "backup: last "
                + b.get("type")
                + " "
                + b.get("label")
                + " ended "
                + b.get("stop")
                + " ("
                + b.get("age_s")
                + " s ago)");
    Map<String, Object> t = (Map<String, Object>) m.get("last_attempt");
    if (t != null && !"ok".equals(t.get("result"))) {
      out.add(
          "backup: the last attempt ("
              + t.get("type")
              + ", "
              + t.get("started")
              + ") "
              + t.get("result")
              + (String.valueOf(t.get("cause")).isBlank()
                  ? ""
                  : ": " + String.valueOf(t.get("cause")).lines().findFirst().orElse("")));
    }
    Map<String, Object> d = (Map<String, Object>) m.get("last_drill");
    out.add(
        d == null
            ? "backup: never drilled (strata drill restore proves the backups restore)"
            : "backup: last drill "
                + (Boolean.TRUE.equals(d.get("ok")) ? "ok" : "FAILED")
                + " at "
                + d.get("at")
                + ", RTO "
                + d.get("rto_ms")
                + " ms");
    return out;
  }

  /**
   * When pgBackRest last dropped WAL because the queue passed {@code archive-push-queue-max}: it
   * tells PostgreSQL the WAL was archived, so only its log (local time) says so.
   */
  static Optional<Instant> lastDrop(PgBackRest engine) {
    Optional<Instant> last = Optional.empty();
    for (String name : List.of("strata-archive-push.log", "strata-archive-push-async.log")) {
      Path log = engine.workDir().resolve("log").resolve(name);
      if (!Files.exists(log)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
        Optional<Instant> t =
            lines
                .filter(l -> l.contains("dropped WAL file") && l.length() > 23)
                .reduce((a, b) -> b)
                .map(l -> LOG.parse(l.substring(0, 23), LocalDateTime::from))
                .map(l -> l.atZone(ZoneId.systemDefault()).toInstant());
        if (t.isPresent() && (last.isEmpty() || t.get().isAfter(last.get()))) {
          last = t;
        }
      } catch (IOException | UncheckedIOException | DateTimeException e) {
        // An unreadable log says nothing about drops.
      }
    }
    return last;
  }

  private static Map<String, Object> attempt(BackupJournal.Attempt x) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", x.type());
    m.put("started", x.started().toString());
    m.put("result", x.result());
    m.put("label", x.label());
    m.put("cause", x.cause());
    return m;
  }

  private static Optional<String> nonEmpty(String s) {
    return s.isBlank() ? Optional.empty() : Optional.of(s.strip());
  }

  private static Instant time(String pg) {
    return OffsetDateTime.parse(pg, PG).toInstant();
  }

  /** wal_segment_size as SHOW prints it ({@code 16MB}). */
  private static long segmentBytes(String s) {
    String n = s.replaceAll("[^0-9]", "");
    long v = n.isEmpty() ? 16 : Long.parseLong(n);
    return s.endsWith("GB") ? v << 30 : s.endsWith("kB") ? v << 10 : v << 20;
  }
}
