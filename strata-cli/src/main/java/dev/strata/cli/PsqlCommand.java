package dev.strata.cli;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.ops.stack.Stack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "psql",
    description = {
      "Opens psql on a database of the stack, over TLS with the stack's CA (verify-full).",
      "Arguments after -- go to psql, e.g. strata psql -- -c 'select 1'."
    })
final class PsqlCommand implements Callable<Integer> {
  /** Who to connect as. */
  enum Role {
    owner,
    app,
    readonly,
    superuser
  }

  @ParentCommand StrataCommand root;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "The database (default: the first in postgres.databases).")
  String database;

  @Option(
      names = "--as",
      paramLabel = "ROLE",
      defaultValue = "owner",
      description =
          "owner (default; direct), app or readonly (through PgBouncer), superuser (local socket only).")
  Role role;

  @Parameters(paramLabel = "PSQL_ARGS", description = "Passed to psql.")
  List<String> psqlArgs = new ArrayList<>();

  @Override
  public Integer call() {
    Workspace workspace = root.workspace();
    Stack stack = workspace.stack();
    String db = workspace.database(database);
    List<String> command;
    Map<String, String> env;
    if (role == Role.superuser) {
      command = new ArrayList<>(stack.superuserPsql(db));
      env = Map.of();
    } else {
      StackEnv stackEnv = stack.env(db);
      PgEndpoint endpoint =
          switch (role) {
            case app -> stackEnv.pooled();
            case readonly -> stackEnv.readonly();
            default -> stackEnv.direct();
          };
      command =
          new ArrayList<>(
              List.of(
                  stack.tools().pgBinDir().resolve("psql").toString(),
                  endpoint.urlWithoutPassword()));
      env = Map.of("PGPASSWORD", endpoint.password());
    }
    command.addAll(psqlArgs);
    return Shell.run(command, env, root);
  }
}
