package dev.strata.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "env",
    description = {
      "Prints the stack's connection strings as shell-sourceable KEY='VALUE' lines.",
      "The output is also a valid .env file. The variables:",
      "DATABASE_URL (PgBouncer, app role), DIRECT_URL (PostgreSQL, owner role, for migrations),",
      "READONLY_DATABASE_URL, REDIS_URL, JDBC_DATABASE_URL/_USERNAME/_PASSWORD and PGSSLROOTCERT.",
      "Example: eval \"$(strata env --export)\""
    })
final class EnvCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "The database (default: the first in postgres.databases).")
  String database;

  @Option(names = "--export", description = "Prefix each line with `export`.")
  boolean export;

  @Override
  public Integer call() {
    Workspace workspace = root.workspace();
    String db = workspace.database(database);
    for (Map.Entry<String, String> v : workspace.stack().env(db).variables().entrySet()) {
      root.out().println((export ? "export " : "") + v.getKey() + "=" + shellQuote(v.getValue()));
    }
    root.out().flush();
    return 0;
  }

  /** Single quotes keep {@code &} and {@code ?} in URLs literal when the line is sourced. */
  static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
