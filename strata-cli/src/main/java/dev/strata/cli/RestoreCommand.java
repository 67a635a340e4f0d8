package dev.strata.cli;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import dev.strata.ops.backup.Backups;
import dev.strata.ops.backup.Dumps;
import dev.strata.ops.backup.InPlaceRestore;
import dev.strata.ops.backup.RedisBackups;
import dev.strata.ops.backup.RestoreTarget;
import dev.strata.ops.backup.RestoredInstance;
import dev.strata.ops.stack.Stack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "restore",
    description = {
      "Restores a backup into a new data directory beside the stack and starts it on a free port",
      "(the running stack is not touched): --to latest, a TIME (ISO-8601, UTC unless an offset is",
      "given), an LSN or a restore point's NAME. Prints its URL; `strata restore remove ID` stops",
      "and deletes it."
    },
    subcommands = {
      RestoreCommand.Point.class,
      RestoreCommand.Remove.class,
      RestoreCommand.Redis.class
    })
final class RestoreCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(
      names = "--to",
      paramLabel = "TARGET",
      defaultValue = "latest",
      description = "latest (default), a time, an LSN or a restore point's name.")
  String to;

  @Option(
      names = "--set",
      paramLabel = "LABEL",
      description = "The backup set to restore (default: the one pgBackRest picks for --to).")
  String set;

  @Option(
      names = "--json",
      description = "Print JSON: id, direct_url, port, data_dir, backup_set, target, restore_ms.")
  boolean json;

  @Option(
      names = "--dump",
      paramLabel = "FILE",
      description = "Restore this strata dump into a new database instead (selective restore).")
  Path dump;

  @Option(
      names = "--table",
      paramLabel = "T",
      description = "With --dump: only this table (repeatable).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "With --dump: the database it was dumped from (default: the first).")
  String database;

  @Option(
      names = "--in-place",
      description =
          "Replace the stack's PostgreSQL data instead (stops it; the old data directory is kept"
              + " renamed until you delete it). Needs --yes.")
  boolean inPlace;

  @Option(names = "--yes", description = "Confirm --in-place.")
  boolean yes;

  Stack stack() {
    return root.workspace().stack(line -> root.err().println(line));
  }

  Backups backups(Stack stack) {
    return new Backups(
        stack.context(),
        line -> {
          root.err().println(line);
          root.err().flush();
        });
  }

  @Override
  public Integer call() {
    Stack stack = stack();
    if (dump != null) {
      String db = database == null ? stack.spec().postgres().primaryDatabase() : database;
      String into = new Dumps(stack.context()).restore(root.workDir().resolve(dump), db, tables);
      root.out()
          .println(
              "restored "
                  + dump
                  + (tables.isEmpty() ? "" : " (tables " + tables + ")")
                  + " into the new database "
                  + into
                  + " of the running stack");
      root.out().flush();
      return 0;
    }
    if (inPlace) {
      return inPlace(stack);
    }
    RestoredInstance copy =
        backups(stack).restore(RestoreTarget.parse(to), Optional.ofNullable(set));
    Topology topology =
        stack.topology().alone(stack.topology().first(Kind.POSTGRES).id(), copy.port());
    PgEndpoint direct =
        dev.strata.core.env.StackEnvs.resolve(
                stack.projectDir(),
                stack.spec(),
                topology,
                stack.spec().postgres().primaryDatabase())
            .direct();
    PrintWriter out = root.out();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("id", copy.id());
      doc.put("direct_url", direct.url());
      doc.put("port", copy.port());
      doc.put("data_dir", copy.dataDir().toString());
      doc.put("backup_set", copy.backupSet());
      doc.put("target", copy.target().toString());
      doc.put("restore_ms", copy.restoreMillis());
      out.println(BackupCommand.json(doc));
    } else {
      out.println(
          "restored "
              + copy.backupSet()
              + " to "
              + copy.target()
              + " in "
              + copy.restoreMillis()
              + " ms: "
              + copy.id()
              + " runs beside the stack on port "
              + copy.port());
      out.println("  data directory: " + copy.dataDir());
      out.println("  DIRECT_URL=" + direct.url());
      out.println("remove it with `strata restore remove " + copy.id() + "`");
    }
    out.flush();
    return 0;
  }

  private int inPlace(Stack stack) {
    if (!yes) {
      throw dev.strata.core.StrataException.badInput(
          "restore --in-place replaces the stack's PostgreSQL data with the backup's (the running"
              + " server is stopped meanwhile)",
          "add --yes to go ahead; without --in-place the restore runs beside the stack instead");
    }
    InPlaceRestore.Result r =
        new InPlaceRestore(
                stack,
                line -> {
                  root.err().println(line);
                  root.err().flush();
                })
            .run(RestoreTarget.parse(to), Optional.ofNullable(set));
    PrintWriter out = root.out();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("in_place", true);
      doc.put("backup_set", r.backupSet());
      doc.put("target", r.target().toString());
      doc.put("kept_data_dir", r.keptDataDir().toString());
      doc.put("restore_ms", r.millis());
      out.println(BackupCommand.json(doc));
    } else {
      out.println(
          "restored "
              + r.backupSet()
              + " to "
              + r.target()
              + " over the stack's data in "
              + r.millis()
              + " ms; the stack runs on it");
      out.println(
          "the replaced data directory is kept in "
              + r.keptDataDir()
              + ": delete it (rm -rf) once you no longer need it");
    }
    out.flush();
    return 0;
  }

  @Command(
      name = "point",
      description = "Creates a named restore point (restore --to NAME), archived at once.")
  static final class Point implements Callable<Integer> {
    @ParentCommand RestoreCommand restore;

    @Parameters(paramLabel = "NAME", description = "Letters, digits, _ . : -")
    String name;

    @Override
    public Integer call() {
      Instant at = restore.backups(restore.stack()).restorePoint(name);
      restore.root.out().println("restore point " + name + " at " + at);
      restore.root.out().flush();
      return 0;
    }
  }

  @Command(
      name = "redis",
      description = {
        "Starts a scratch Redis from a Redis backup (the newest, or NAME) on a free port, with the",
        "stack's users; --in-place --yes replaces the stack's Redis data instead (the old data",
        "folder is kept renamed)."
      })
  static final class Redis implements Callable<Integer> {
    @ParentCommand RestoreCommand restore;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "A name from backup list.")
    String name;

    @Option(names = "--in-place", description = "Replace the stack's Redis data. Needs --yes.")
    boolean inPlace;

    @Option(names = "--yes", description = "Confirm --in-place.")
    boolean yes;

    @Option(names = "--json", description = "Print JSON: id, port, url, backup (or kept_data_dir).")
    boolean json;

    @Override
    public Integer call() {
      Stack stack = restore.stack();
      RedisBackups redis =
          new RedisBackups(
              stack.context(),
              line -> {
                restore.root.err().println(line);
                restore.root.err().flush();
              });
      RedisBackups.RedisBackup b = redis.find(Optional.ofNullable(name));
      PrintWriter out = restore.root.out();
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("backup", b.name());
      if (inPlace) {
        if (!yes) {
          throw dev.strata.core.StrataException.badInput(
              "restore redis --in-place replaces the stack's Redis data with " + b.name(),
              "add --yes to go ahead; without --in-place a scratch Redis is started instead");
        }
        java.nio.file.Path kept = redis.restoreInPlace(stack, b);
        doc.put("in_place", true);
        doc.put("kept_data_dir", kept.toString());
        if (!json) {
          out.println("the stack's Redis runs on " + b.name());
          out.println(
              "the replaced data folder is kept in " + kept + ": delete it once not needed");
        }
      } else {
        RedisBackups.ScratchRedis s = redis.restoreScratch(b);
        doc.put("id", s.id());
        doc.put("port", s.port());
        doc.put("url", "redis://" + stack.spec().security().bind() + ":" + s.port());
        if (!json) {
          out.println(
              "restored "
                  + b.name()
                  + " into "
                  + s.id()
                  + " on redis://"
                  + stack.spec().security().bind()
                  + ":"
                  + s.port()
                  + " (the stack's users and passwords, no TLS)");
          out.println("remove it with `strata restore remove " + s.id() + "`");
        }
      }
      if (json) {
        out.println(BackupCommand.json(doc));
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "remove", description = "Stops a restored copy and deletes its folder.")
  static final class Remove implements Callable<Integer> {
    @ParentCommand RestoreCommand restore;

    @Parameters(paramLabel = "ID", description = "The copy's id, e.g. restore-20261202-050102.")
    String id;

    @Override
    public Integer call() {
      Backups backups = restore.backups(restore.stack());
      if (!backups.restores().contains(id)) {
        throw dev.strata.core.StrataException.badInput(
            "no restored copy '" + id + "'", "name one of " + backups.restores());
      }
      backups.removeRestore(id);
      restore.root.out().println("removed " + id);
      restore.root.out().flush();
      return 0;
    }
  }
}
