package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.topology.Kind;
import dev.strata.jdbc.migrate.Migrator;
import dev.strata.ops.postgres.PostgresBootstrap;
import dev.strata.ops.postgres.PostgresServer;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.Stack;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "reset",
    description = {
      "Drops and recreates a database of the stack, applies the migrations (migrations.dir) and",
      "runs the seed files (migrations.seed) on it: a fresh development database. Every row in",
      "it is lost; the other databases, Redis and the backups are not touched."
    })
final class ResetCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "The database (default: the first in postgres.databases).")
  String database;

  @Option(names = "--yes", description = "Confirm that the database's data may be deleted.")
  boolean yes;

  @Override
  public Integer call() {
    Workspace ws = root.workspace();
    String db = ws.database(database);
    if (!ws.spec().postgres().databases().contains(db)) {
      throw StrataException.badInput(
          "database " + db + " is not in postgres.databases " + ws.spec().postgres().databases(),
          "give one of them with -d");
    }
    List<Path> seeds = seedFiles(ws);
    if (!yes) {
      throw StrataException.badInput(
          "strata reset deletes every row of database " + db + " and rebuilds it",
          "run `strata reset --yes` to confirm");
    }
    PrintWriter out = root.out();
    Stack stack = ws.stack(out::println);
    if (!stack.created()) {
      throw StrataException.badInput(
          "there is no stack here (" + ws.dir() + ") to reset", "run `strata up` first");
    }
    stack.up();
    drop(stack, db);
    PostgresBootstrap.forget(
        PostgresServer.dataDir(stack.stateDir().component(Kind.POSTGRES.folder())), db);
    stack.up();
    out.println("dropped and recreated database " + db);
    out.flush();
    migrate(ws, db, out);
    PgEndpoint owner = stack.env(db).direct();
    for (Path seed : seeds) {
      seed(stack, owner, seed, ws.dir());
      out.println("seeded from " + ws.dir().relativize(seed));
    }
    out.println("database " + db + " is reset");
    out.flush();
    return 0;
  }

  /** The seed files, checked before anything is dropped. */
  private static List<Path> seedFiles(Workspace ws) {
    List<Path> files = new ArrayList<>();
    for (String name : ws.spec().migrations().seed()) {
      Path file = ws.dir().resolve(name).normalize();
      if (!Files.isRegularFile(file)) {
        throw StrataException.badInput(
            "migrations.seed names " + name + ", and there is no such file (" + file + ")",
            "create it, or correct migrations.seed in strata.yaml");
      }
      files.add(file);
    }
    return files;
  }

  private static void drop(Stack stack, String db) {
    List<String> psql = new ArrayList<>(stack.superuserPsql("postgres"));
    psql.addAll(
        List.of(
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            "DROP DATABASE IF EXISTS " + PostgresBootstrap.ident(db) + " WITH (FORCE)"));
    Exec.Result r = Exec.of(psql).run();
    if (!r.ok()) {
      throw StrataException.failed(
          "dropping database " + db + " failed: " + r.describeFailure(),
          "see the PostgreSQL log: strata logs postgres",
          null);
    }
  }

  private static void migrate(Workspace ws, String db, PrintWriter out) {
    Path folder = MigrateTarget.folder(ws);
    if (!Files.isDirectory(folder)) {
      out.println("no migrations to apply (" + folder + " does not exist)");
      return;
    }
    MigrateTarget target = new MigrateTarget();
    target.database = db;
    Migrator migrator = target.migrator(ws, s -> MigrateCommand.print(out, s));
    MigrateCommand.summary(out, migrator.up());
  }

  private static void seed(Stack stack, PgEndpoint owner, Path file, Path dir) {
    Exec.Result r =
        Exec.of(
                stack.tools().pgBinDir().resolve("psql").toString(),
                owner.urlWithoutPassword(),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
                file.toString())
            .env("PGPASSWORD", owner.password())
            .workDir(dir)
            .run();
    if (!r.ok()) {
      throw StrataException.failed(
          "the seed file " + file + " failed: " + r.describeFailure(),
          "fix it, then run `strata reset --yes` again (the migrations are applied; the seed runs"
              + " in full each time)",
          null);
    }
  }
}
