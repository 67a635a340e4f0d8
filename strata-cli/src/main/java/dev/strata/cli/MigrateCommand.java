package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.core.StrataException;
import dev.strata.jdbc.migrate.DatabaseVersion;
import dev.strata.jdbc.migrate.MigrateResult;
import dev.strata.jdbc.migrate.MigrationFiles;
import dev.strata.jdbc.migrate.MigrationPlan;
import dev.strata.jdbc.migrate.MigrationStatus;
import dev.strata.jdbc.migrate.MigrationStep;
import dev.strata.jdbc.migrate.Migrator;
import dev.strata.ops.postgres.PgDump;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "migrate",
    description =
        "Applies the migration folder (migrations.dir: golang-migrate, Flyway or Prisma files,"
            + " recorded in that tool's own table) to the stack's database as its owner role, or"
            + " to any PostgreSQL with --url.",
    subcommands = {
      MigrateCommand.Up.class,
      MigrateCommand.Down.class,
      MigrateCommand.Goto.class,
      MigrateCommand.Version.class,
      MigrateCommand.Status.class,
      MigrateCommand.Force.class,
      MigrateCommand.Create.class,
      MigrateCommand.Validate.class,
      MigrateCommand.Plan.class,
      MigrateCommand.Baseline.class,
      MigrateCommand.Repair.class
    })
final class MigrateCommand {
  @ParentCommand StrataCommand root;

  PrintWriter out() {
    return root.out();
  }

  static void print(PrintWriter out, MigrationStep step) {
    out.println(
        (step.up() ? "applied " : "undone  ")
            + step.fileName()
            + " ("
            + step.duration().toMillis()
            + " ms)");
    out.flush();
  }

  static void summary(PrintWriter out, MigrateResult result) {
    List<MigrationStep> steps = result.steps();
    if (steps.isEmpty()) {
      out.println("nothing to do: the database is at " + result.after());
    } else {
      out.println(
          steps.size()
              + (steps.size() == 1 ? " migration" : " migrations")
              + (steps.get(0).up() ? " applied" : " undone")
              + "; the database is at "
              + result.after());
    }
    for (String warning : result.warnings()) {
      out.println("warning: " + warning);
    }
    out.flush();
  }

  /**
   * {@code --allow-changed} was replaced by {@code migrate repair}: say so instead of "unknown".
   */
  static final class AllowChanged {
    @Option(names = "--allow-changed", hidden = true)
    boolean used;

    void refuse() {
      if (used) {
        throw StrataException.badInput(
            "--allow-changed is gone: it ran changed files once and left the database refusing"
                + " every later run",
            "review the change, then `strata migrate repair` to accept the files' new checksums");
      }
    }
  }

  @Command(name = "up", description = "Applies pending migrations: all, or the next N.")
  static final class Up implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Parameters(arity = "0..1", paramLabel = "N", description = "How many (default: all).")
    Integer count;

    @Option(
        names = "--backup",
        description =
            "Back up first, kept whatever the retention: a pgBackRest full backup of the stack's"
                + " database when backups are on, else a compressed pg_dump in .strata/backups/.")
    boolean backup;

    @Mixin AllowChanged allowChanged;

    @Override
    public Integer call() {
      allowChanged.refuse();
      Workspace ws = parent.root.workspace();
      MigrateTarget.Database db = target.resolve(ws);
      PrintWriter out = parent.out();
      Migrator migrator = target.migrator(ws, db, s -> print(out, s));
      if (backup && target.url == null && ws.spec().backup().enabled() && ws.stack().created()) {
        // The stack's own database: a pgBackRest full backup, kept whatever the retention.
        var set =
            new dev.strata.ops.backup.Backups(
                    ws.stack(l -> parent.root.err().println(l)).context(),
                    l -> {
                      parent.root.err().println(l);
                      parent.root.err().flush();
                    })
                .backup(
                    "full",
                    java.util.Optional.of(
                        "before migrate up of " + db.name() + " at " + java.time.Instant.now()));
        out.println("backup: " + set.label() + " (a full backup, kept; strata backup list)");
        out.flush();
      } else if (backup) {
        Path file =
            PgDump.beforeMigration(
                ws.spec().postgres().binDir(),
                ws.dir().resolve(".strata").resolve("backups"),
                db.name(),
                db.libpqUrl(),
                db.password());
        out.println("backup: " + file);
        out.flush();
      }
      summary(out, count == null ? migrator.up() : migrator.up(count));
      return 0;
    }
  }

  @Command(name = "down", description = "Undoes the last N applied migrations, or --all.")
  static final class Down implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Parameters(arity = "0..1", paramLabel = "N", description = "How many.")
    Integer count;

    @Option(names = "--all", description = "Undo every applied migration.")
    boolean all;

    @Mixin AllowChanged allowChanged;

    @Override
    public Integer call() {
      allowChanged.refuse();
      if ((count == null) == !all) {
        throw StrataException.badInput(
            "say how many migrations to undo: a number N, or --all (not both)",
            "e.g. `strata migrate down 1` or `strata migrate down --all`");
      }
      Workspace ws = parent.root.workspace();
      PrintWriter out = parent.out();
      Migrator migrator = target.migrator(ws, s -> print(out, s));
      summary(out, all ? migrator.downAll() : migrator.down(count));
      return 0;
    }
  }

  @Command(name = "goto", description = "Migrates up or down to version V.")
  static final class Goto implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Parameters(paramLabel = "V", description = "A migration's version.")
    long version;

    @Mixin AllowChanged allowChanged;

    @Override
    public Integer call() {
      allowChanged.refuse();
      Workspace ws = parent.root.workspace();
      PrintWriter out = parent.out();
      Migrator migrator = target.migrator(ws, s -> print(out, s));
      summary(out, migrator.goTo(version));
      return 0;
    }
  }

  @Command(name = "version", description = "Prints the database's version (and whether dirty).")
  static final class Version implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Override
    public Integer call() {
      Workspace ws = parent.root.workspace();
      DatabaseVersion v = target.migrator(ws, s -> {}).version();
      parent.out().println(v.any() ? v.version() + (v.dirty() ? " (dirty)" : "") : "none");
      parent.out().flush();
      return 0;
    }
  }

  @Command(name = "status", description = "Lists applied, pending, changed and missing migrations.")
  static final class Status implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Workspace ws = parent.root.workspace();
      Migrator migrator = target.migrator(ws, s -> {});
      List<MigrationStatus> rows = migrator.status();
      DatabaseVersion version = migrator.version();
      List<String> warnings = migrator.warnings();
      PrintWriter out = parent.out();
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", migrator.format().tool());
        doc.put("table", migrator.format().table());
        doc.put("version", version.any() ? version.version() : null);
        doc.put("dirty", version.dirty());
        doc.put("warnings", warnings);
        List<Map<String, Object>> list = new ArrayList<>();
        for (MigrationStatus r : rows) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("version", r.version());
          m.put("name", r.name());
          m.put("state", r.state().name().toLowerCase(java.util.Locale.ROOT));
          m.put("applied_at", r.appliedAt().map(Object::toString).orElse(null));
          m.put("applied_by", r.appliedBy().orElse(null));
          m.put("checksum", r.fileChecksum().orElse(null));
          m.put("applied_checksum", r.appliedChecksum().orElse(null));
          m.put("has_down", r.hasDown());
          m.put("outside_strata", r.outsideStrata());
          m.put("repeatable", r.repeatable());
          list.add(m);
        }
        doc.put("migrations", list);
        out.println(
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
      } else {
        Table table = new Table("VERSION", "NAME", "STATE", "APPLIED AT", "BY", "DOWN");
        for (MigrationStatus r : rows) {
          table.row(
              r.repeatable() ? "R" : Long.toString(r.version()),
              r.name(),
              r.state().name().toLowerCase(java.util.Locale.ROOT),
              r.appliedAt().map(Object::toString).orElse("-"),
              r.outsideStrata() ? "(outside Strata)" : r.appliedBy().orElse("-"),
              r.hasDown() ? "yes" : "no");
        }
        table.print(out);
        out.println(
            "database at "
                + version
                + "; format "
                + migrator.format().tool()
                + " ("
                + migrator.format().table()
                + ")");
        for (String warning : warnings) {
          out.println("warning: " + warning);
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "force",
      description =
          "Sets the version to V and clears the dirty flag without running SQL: to recover once"
              + " a no-transaction migration that stopped part-way was put right by hand. -1 means"
              + " no version.")
  static final class Force implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Parameters(paramLabel = "V", description = "The version the database is really at.")
    long version;

    @Override
    public Integer call() {
      Workspace ws = parent.root.workspace();
      DatabaseVersion before = target.migrator(ws, s -> {}).force(version);
      parent
          .out()
          .println(
              "forced: the database was at "
                  + before
                  + ", it is now at "
                  + new DatabaseVersion(version, false)
                  + ". No SQL ran: the schema is as you left it.");
      parent.out().flush();
      return 0;
    }
  }

  @Command(
      name = "create",
      description = "Writes the next pair of files (.up.sql, .down.sql) in the folder's style.")
  static final class Create implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;

    @Parameters(paramLabel = "NAME", description = "What the migration does, e.g. add_site_tags.")
    String name;

    @Override
    public Integer call() {
      for (Path file : MigrationFiles.next(MigrateTarget.folder(parent.root.workspace()), name)) {
        parent.out().println("created " + file);
      }
      parent.out().flush();
      return 0;
    }
  }

  @Command(
      name = "validate",
      description =
          "Checks the files and the database (dirty, changed, skipped, missing) without changing"
              + " anything.")
  static final class Validate implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Override
    public Integer call() {
      Workspace ws = parent.root.workspace();
      Migrator migrator = target.migrator(ws, s -> {});
      migrator.validate();
      long pending =
          migrator.status().stream()
              .filter(r -> r.state() == MigrationStatus.State.PENDING)
              .count();
      parent
          .out()
          .println("ok: the database is at " + migrator.version() + ", " + pending + " pending");
      parent.out().flush();
      return 0;
    }
  }

  @Command(
      name = "plan",
      description =
          "Prints every statement `up` would run, in order, with its transaction boundaries and"
              + " the lock it takes where known; runs nothing.")
  static final class Plan implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Override
    public Integer call() {
      Workspace ws = parent.root.workspace();
      MigrationPlan plan = target.migrator(ws, s -> {}).plan();
      PrintWriter out = parent.out();
      out.println(
          "the database is at "
              + plan.current()
              + " ("
              + plan.format().tool()
              + " folder, recorded in "
              + plan.format().table()
              + ")");
      int statements = 0;
      for (MigrationPlan.File file : plan.files()) {
        out.println();
        out.println(
            file.path()
                + (file.transaction()
                    ? ": one transaction, with its bookkeeping"
                    : ": no transaction, statement by statement (marked dirty until done)"));
        if (file.transaction()) {
          out.println("  BEGIN");
        }
        for (MigrationPlan.Step step : file.statements()) {
          statements++;
          out.println("  -- line " + step.line() + ", lock: " + step.lock());
          step.sql().lines().forEach(l -> out.println("  " + l));
        }
        if (file.transaction()) {
          out.println("  COMMIT");
        }
      }
      out.println();
      out.println(
          plan.files().isEmpty()
              ? "nothing to do; nothing ran"
              : plan.files().size()
                  + (plan.files().size() == 1 ? " file, " : " files, ")
                  + statements
                  + (statements == 1 ? " statement" : " statements")
                  + " would run; nothing ran");
      for (String warning : plan.warnings()) {
        out.println("warning: " + warning);
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "baseline",
      description =
          "Adopts an existing database at version V: the files up to V count as applied, none"
              + " runs.")
  static final class Baseline implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Parameters(paramLabel = "V", description = "The version the database's schema is at.")
    long version;

    @Override
    public Integer call() {
      Workspace ws = parent.root.workspace();
      Migrator migrator = target.migrator(ws, s -> {});
      DatabaseVersion after = migrator.baseline(version);
      parent
          .out()
          .println(
              "baselined: the database is at "
                  + after
                  + " in "
                  + migrator.format().table()
                  + "; the files up to it count as applied. No SQL of theirs ran.");
      parent.out().flush();
      return 0;
    }
  }

  @Command(
      name = "repair",
      description =
          "Accepts the new content of applied files that changed (after you reviewed the change):"
              + " records their checksums, so up and down go on.")
  static final class Repair implements Callable<Integer> {
    @ParentCommand MigrateCommand parent;
    @Mixin MigrateTarget target;

    @Override
    public Integer call() {
      Workspace ws = parent.root.workspace();
      List<MigrationStatus> accepted = target.migrator(ws, s -> {}).repair();
      PrintWriter out = parent.out();
      for (MigrationStatus r : accepted) {
        out.println(
            "accepted "
                + r.name()
                + ": checksum "
                + r.appliedChecksum().orElse("?")
                + " -> "
                + r.fileChecksum().orElse("?")
                + " (no SQL ran)");
      }
      out.println(
          accepted.isEmpty()
              ? "nothing to repair: no applied file changed"
              : accepted.size()
                  + (accepted.size() == 1 ? " checksum" : " checksums")
                  + " accepted; `strata migrate status` is clean of them");
      out.flush();
      return 0;
    }
  }
}
