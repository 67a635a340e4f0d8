package dev.strata.cli;

import dev.strata.ops.backup.Dumps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "dump",
    description = {
      "Dumps a database (or some tables or schemas) with pg_dump -Fc into dumps/ of the backup",
      "repository, encrypted with its passphrase; `strata restore --dump FILE [--table T]`",
      "restores it into a new database."
    })
final class DumpCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "The database (default: the first in postgres.databases).")
  String database;

  @Option(names = "--table", paramLabel = "T", description = "Only this table (repeatable).")
  List<String> tables = new ArrayList<>();

  @Option(names = "--schema", paramLabel = "S", description = "Only this schema (repeatable).")
  List<String> schemas = new ArrayList<>();

  @Override
  public Integer call() {
    Workspace workspace = root.workspace();
    Path file =
        new Dumps(workspace.stack().context()).dump(workspace.database(database), tables, schemas);
    root.out().println(file);
    root.out().flush();
    return 0;
  }
}
