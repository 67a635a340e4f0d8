package dev.strata.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.ops.backup.BackupSet;
import dev.strata.ops.backup.Backups;
import dev.strata.ops.backup.Drill;
import dev.strata.ops.backup.RedisBackups;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "backup",
    description = {
      "Backups of the stack's PostgreSQL with pgBackRest, into the encrypted repository of",
      "strata.yaml's backup section (default .strata/backups); WAL is archived continuously."
    },
    subcommands = {
      BackupCommand.Take.Full.class,
      BackupCommand.Take.Diff.class,
      BackupCommand.Take.Incr.class,
      BackupCommand.Redis.class,
      BackupCommand.ListSets.class,
      BackupCommand.Verify.class,
      BackupCommand.Expire.class
    })
final class BackupCommand {
  @ParentCommand StrataCommand root;

  Backups backups() {
    return new Backups(
        root.workspace().stack(line -> root.err().println(line)).context(),
        line -> {
          root.err().println(line);
          root.err().flush();
        });
  }

  RedisBackups redisBackups() {
    return new RedisBackups(
        root.workspace().stack(line -> root.err().println(line)).context(),
        line -> {
          root.err().println(line);
          root.err().flush();
        });
  }

  static String json(Object value) {
    try {
      return new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** full, diff and incr. */
  abstract static class Take implements Callable<Integer> {
    @ParentCommand BackupCommand backup;

    @Option(
        names = "--keep",
        paramLabel = "REASON",
        description = "Keep this backup whatever the retention (e.g. \"before release 42\").")
    String keep;

    abstract String type();

    @Override
    public Integer call() {
      BackupSet set = backup.backups().backup(type(), Optional.ofNullable(keep));
      backup.root.out().println(set.label());
      backup.root.out().flush();
      return 0;
    }

    @Command(name = "full", description = "Takes a full backup.")
    static final class Full extends Take {
      @Override
      String type() {
        return "full";
      }
    }

    @Command(
        name = "diff",
        description = "Takes a differential backup: what changed since the last full one.")
    static final class Diff extends Take {
      @Override
      String type() {
        return "diff";
      }
    }

    @Command(
        name = "incr",
        description = "Takes an incremental backup: what changed since the last backup.")
    static final class Incr extends Take {
      @Override
      String type() {
        return "incr";
      }
    }
  }

  @Command(
      name = "redis",
      description =
          "Backs up the stack's Redis: BGSAVE, then its RDB file into the repository's redis/"
              + " folder, compressed and encrypted.")
  static final class Redis implements Callable<Integer> {
    @ParentCommand BackupCommand backup;

    @Override
    public Integer call() {
      RedisBackups.RedisBackup b = backup.redisBackups().backup();
      backup.root.out().println(b.name());
      backup.root.out().flush();
      return 0;
    }
  }

  @Command(
      name = "list",
      description =
          "Lists the backups: type, start, stop, size in the repository, WAL range, and the last"
              + " drill that restored each.")
  static final class ListSets implements Callable<Integer> {
    @ParentCommand BackupCommand backup;

    @Option(names = "--json", description = "Print JSON: {\"backups\": [...], \"drills\": [...]}.")
    boolean json;

    @Override
    public Integer call() {
      Backups backups = backup.backups();
      List<BackupSet> sets = backups.list();
      List<Map<String, Object>> drills = Drill.recorded(backups.engine());
      List<RedisBackups.RedisBackup> redis = backup.redisBackups().list();
      PrintWriter out = backup.root.out();
      Map<String, String> kept = backups.kept();
      List<Map<String, Object>> rows = new ArrayList<>();
      for (BackupSet s : sets) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", s.label());
        row.put("type", s.type());
        row.put("start", s.start().toString());
        row.put("stop", s.stop().toString());
        row.put("repository_bytes", s.repositorySize());
        row.put("database_bytes", s.databaseSize());
        row.put("wal_start", s.walStart());
        row.put("wal_stop", s.walStop());
        row.put("prior", s.prior().orElse(null));
        row.put("kept", kept.get(s.label()));
        Map<String, Object> drill = null;
        for (Map<String, Object> d : drills) {
          if (s.label().equals(d.get("backup_set"))) {
            drill = d;
          }
        }
        row.put(
            "verified",
            drills.stream()
                .anyMatch(
                    d ->
                        s.label().equals(d.get("backup_set")) && Boolean.TRUE.equals(d.get("ok"))));
        row.put(
            "drill",
            drill == null
                ? null
                : Map.of(
                    "ok", drill.get("ok"), "at", drill.get("at"), "rto_ms", drill.get("rto_ms")));
        rows.add(row);
      }
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("backups", rows);
        doc.put("archive", backups.archiveRange().orElse(null));
        doc.put("drills", drills);
        doc.put("redis", redis.stream().map(RedisBackups::toMap).toList());
        out.println(json(doc));
      } else if (rows.isEmpty()) {
        out.println("no backups yet: take one with `strata backup full`");
      } else {
        Table table = new Table("BACKUP", "TYPE", "START", "STOP", "BYTES", "WAL", "VERIFIED");
        for (Map<String, Object> r : rows) {
          @SuppressWarnings("unchecked")
          Map<String, Object> d = (Map<String, Object>) r.get("drill");
          table.row(
              (String) r.get("label"),
              (String) r.get("type"),
              (String) r.get("start"),
              (String) r.get("stop"),
              r.get("repository_bytes").toString(),
              r.get("wal_start")
                  + "-"
                  + r.get("wal_stop")
                  + (r.get("kept") == null ? "" : " (kept: " + r.get("kept") + ")"),
              d == null
                  ? "not drilled"
                  : (Boolean.TRUE.equals(d.get("ok")) ? "drill ok " : "DRILL FAILED ")
                      + d.get("at")
                      + " (RTO "
                      + d.get("rto_ms")
                      + " ms)");
        }
        table.print(out);
        backups.archiveRange().ifPresent(a -> out.println("archived WAL: " + a));
      }
      if (!json) {
        for (RedisBackups.RedisBackup b : redis) {
          out.println("redis backup " + b.name() + " at " + b.at() + " (" + b.bytes() + " bytes)");
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "verify",
      description =
          "Checks the repository: every backup file and archived WAL against its checksum (pgbackrest"
              + " verify). Only a drill proves that a restore starts and has the data.")
  static final class Verify implements Callable<Integer> {
    @ParentCommand BackupCommand backup;

    @Override
    public Integer call() {
      backup.backups().verify();
      backup.root.out().println("the repository verifies: every file matches its checksum");
      backup.root.out().flush();
      return 0;
    }
  }

  @Command(
      name = "expire",
      description =
          "Removes the backups (and their WAL) past backup.retention_full / retention_diff.")
  static final class Expire implements Callable<Integer> {
    @ParentCommand BackupCommand backup;

    @Override
    public Integer call() {
      Backups backups = backup.backups();
      int before = backups.list().size();
      backups.expire();
      List<BackupSet> kept = backups.list();
      int after = kept.size();
      List<String> redis =
          backup
              .redisBackups()
              .expire(kept.isEmpty() ? Optional.empty() : Optional.of(kept.get(0).start()));
      backup.root.out().println("expired " + (before - after) + " backups; " + after + " kept");
      if (!redis.isEmpty()) {
        backup.root.out().println("expired the Redis backups " + redis);
      }
      backup.root.out().flush();
      return 0;
    }
  }
}
