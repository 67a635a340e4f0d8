package dev.strata.cli;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
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
    monitor,
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
          "owner (default; direct), app or readonly (through PgBouncer), monitor (direct, as"
              + " security.monitor_role: pg_monitor's statistics, no table data), superuser (local"
              + " socket only).")
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
            case monitor -> monitorRole(stack, stackEnv.direct());
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

  /**
   * The monitoring role the exporters and the advisor connect as (a member of pg_monitor, with
   * CONNECT and USAGE on the schema but no table privilege): a read-only monitoring user.
   */
  private static PgEndpoint monitorRole(Stack stack, PgEndpoint direct) {
    String role = stack.spec().security().monitorRole();
    return direct.as(
        role, Secrets.open(stack.stateDir().secretsFile()).require(StackEnvs.postgresSecret(role)));
  }
}
