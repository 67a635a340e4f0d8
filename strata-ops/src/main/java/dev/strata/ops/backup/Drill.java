package dev.strata.ops.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.core.StrataException;
import dev.strata.core.spec.BackupSpec;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A restore drill, the proof that the backups restore: the newest backup (or a chosen time) is
 * restored into a scratch instance, pg_amcheck checks every table and index, the row count of every
 * table is compared with the source at the target, the heartbeats show recovery stopped exactly at
 * the target, the user's own checks run, and the scratch instance is removed. The result, with the
 * restore time (RTO), is recorded beside the repository and shown by {@code strata backup list}.
 */
public final class Drill {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private static final String COUNTS =
      "SELECT format('%I.%I', n.nspname, c.relname) || '=' || (xpath('/row/c/text()',"
          + " query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname),"
          + " false, true, '')))[1]::text FROM pg_class c JOIN pg_namespace n ON n.oid ="
          + " c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog',"
          + " 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1";

  private final Backups backups;
  private final ComponentContext context;

  public Drill(Backups backups) {
    this.backups = backups;
    this.context = backups.context();
  }

  /** The drills' record: one JSON object per line, beside the repository. */
  public static Path journal(PgBackRest engine) {
    return engine.repository().resolve("strata-drills.jsonl");
  }

  /**
   * Runs one drill.
   *
   * @param to the time to restore to; empty for now (a restore point the drill creates)
   */
  public DrillResult run(Optional<Instant> to) {
    String id = "drill-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP);
    List<DrillResult.Check> checks = new ArrayList<>();
    RestoreTarget target;
    Map<String, Map<String, Long>> before = Map.of();
    Map<String, Map<String, Long>> after = Map.of();
    Instant mark;
    if (to.isPresent()) {
      target = RestoreTarget.time(to.get());
      mark = to.get();
    } else {
      before = counts(context.postgresPrimary().port());
      mark = Heartbeat.beat(context, "drill " + id);
      backups.restorePoint(id);
      target = RestoreTarget.name(id);
      after = counts(context.postgresPrimary().port());
    }
    long sourceBeats = heartbeatsUpTo(context.postgresPrimary().port(), mark);
    RestoredInstance copy = backups.restore(id, target, Optional.empty());
    try {
      checks.add(amcheck(copy));
      if (to.isEmpty()) {
        checks.addAll(compareCounts(before, after, counts(copy.port())));
      }
      checks.add(heartbeats(copy, mark, sourceBeats));
      for (BackupSpec.Check c : context.spec().backup().checks()) {
        checks.add(userCheck(copy, c));
      }
    } finally {
      backups.removeRestore(copy.id());
    }
    boolean ok = checks.stream().allMatch(DrillResult.Check::ok);
    DrillResult result =
        new DrillResult(
            ok, Instant.now(), copy.backupSet(), target.toString(), copy.restoreMillis(), checks);
    record(result);
    return result;
  }

  private DrillResult.Check amcheck(RestoredInstance copy) {
    Path pgAmcheck = context.tools().pgBinDir().resolve("pg_amcheck");
    Exec.Result r =
        context
            .runAs()
            .exec(
                pgAmcheck.toString(),
                "-h",
                context.socketDir().toString(),
                "-p",
                Integer.toString(copy.port()),
                "-U",
                context.runAs().user(),
                "--all",
                "--install-missing",
                "--heapallindexed")
            .timeout(Duration.ofHours(6))
            .run();
    return new DrillResult.Check(
        "pg_amcheck", r.ok(), r.ok() ? "every table and index is consistent" : r.output().strip());
  }

  /**
   * Each table's restored count must equal the source's at the restore point: the counts just
   * before and just after it bound it (they differ only for a table written meanwhile).
   */
  static List<DrillResult.Check> compareCounts(
      Map<String, Map<String, Long>> before,
      Map<String, Map<String, Long>> after,
      Map<String, Map<String, Long>> restored) {
    List<String> wrong = new ArrayList<>();
    int tables = 0;
    for (var db : before.entrySet()) {
      for (var t : db.getValue().entrySet()) {
        tables++;
        long b = t.getValue();
        long a = after.getOrDefault(db.getKey(), Map.of()).getOrDefault(t.getKey(), b);
        Long got = restored.getOrDefault(db.getKey(), Map.of()).get(t.getKey());
        if (got == null || got < Math.min(a, b) || got > Math.max(a, b)) {
          wrong.add(
              db.getKey()
                  + "/"
                  + t.getKey()
                  + ": source "
                  + (a == b ? b : b + ".." + a)
                  + ", restored "
                  + (got == null ? "missing" : got));
        }
      }
    }
    return List.of(
        new DrillResult.Check(
            "row counts",
            wrong.isEmpty(),
            wrong.isEmpty()
                ? tables + " tables have the source's row count at the target"
                : String.join("; ", wrong)));
  }

  private DrillResult.Check heartbeats(RestoredInstance copy, Instant mark, long sourceBeats) {
    String sql =
        "SELECT count(*) FILTER (WHERE at <= "
            + Heartbeat.literal(mark)
            + ") || ' ' || count(*) FILTER (WHERE at > "
            + Heartbeat.literal(mark)
            + ") FROM strata.heartbeat";
    String[] got = Heartbeat.run(context, context.socketDir(), copy.port(), sql).strip().split(" ");
    long upTo = Long.parseLong(got[0]);
    long later = Long.parseLong(got[1]);
    boolean ok = upTo == sourceBeats && later == 0;
    return new DrillResult.Check(
        "point in time",
        ok,
        "heartbeats at or before "
            + mark
            + ": "
            + upTo
            + " of the source's "
            + sourceBeats
            + "; after it: "
            + later
            + " (want 0)");
  }

  private long heartbeatsUpTo(int port, Instant mark) {
    return Long.parseLong(
        Heartbeat.run(
                context,
                context.socketDir(),
                port,
                "SELECT count(*) FROM strata.heartbeat WHERE at <= " + Heartbeat.literal(mark))
            .strip());
  }

  private DrillResult.Check userCheck(RestoredInstance copy, BackupSpec.Check c) {
    String db = c.database().isEmpty() ? context.spec().postgres().primaryDatabase() : c.database();
    Exec.Result r =
        new Psql(context.tools().pgBinDir())
            .superuser(context.runAs(), context.socketDir(), copy.port(), db, c.sql())
            .run();
    String got = r.output().strip();
    boolean ok = r.ok() && got.equals(c.expect().strip());
    return new DrillResult.Check(
        c.name(), ok, ok ? "got " + got : "expected " + c.expect().strip() + ", got " + got);
  }

  /** Every table's row count in every database of strata.yaml, in one snapshot per database. */
  private Map<String, Map<String, Long>> counts(int port) {
    Map<String, Map<String, Long>> all = new TreeMap<>();
    for (String db : context.spec().postgres().databases()) {
      Exec.Result r =
          new Psql(context.tools().pgBinDir())
              .superuser(
                  context.runAs(),
                  context.socketDir(),
                  port,
                  db,
                  "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; " + COUNTS + "; COMMIT;")
              .run();
      if (!r.ok()) {
        throw StrataException.failed(
            "cannot count the rows of " + db + ": " + r.describeFailure(), "", null);
      }
      Map<String, Long> tables = new LinkedHashMap<>();
      r.output()
          .lines()
          .filter(l -> l.contains("="))
          .forEach(
              l -> {
                int eq = l.lastIndexOf('=');
                tables.put(l.substring(0, eq), Long.parseLong(l.substring(eq + 1).strip()));
              });
      all.put(db, tables);
    }
    return all;
  }

  private void record(DrillResult result) {
    Path file = journal(backups.engine());
    try {
      String line =
          new ObjectMapper()
                  .disable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(result.toMap())
              + "\n";
      Files.writeString(
          file,
          line,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the drill in " + file, e);
    }
  }

  /** The recorded drills, oldest first. */
  public static List<Map<String, Object>> recorded(PgBackRest engine) {
    Path file = journal(engine);
    if (!Files.exists(file)) {
      return List.of();
    }
    List<Map<String, Object>> drills = new ArrayList<>();
    try {
      ObjectMapper json = new ObjectMapper();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = json.readValue(line, Map.class);
          drills.add(m);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return drills;
  }
}
