package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.jdbc.pool.PoolerCheck;
import dev.strata.jdbc.pool.PoolerFinding;
import dev.strata.jdbc.pool.PoolerHazard;
import dev.strata.ops.stack.Stack;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "pooler",
    description = "PgBouncer: checks that an application is safe behind its transaction pooling.",
    subcommands = {PoolerCommand.Check.class})
final class PoolerCommand {
  @ParentCommand StrataCommand root;

  @Command(
      name = "check",
      description = {
        "Lists the statements pg_stat_statements recorded that break under transaction pooling:",
        "SET without LOCAL, session advisory locks, LISTEN, WITH HOLD cursors, temporary tables,",
        "SQL PREPARE, each with its fix. Exits 1 when it finds one, 0 when it finds none."
      })
  static final class Check implements Callable<Integer> {
    @ParentCommand PoolerCommand parent;

    @Option(
        names = {"-d", "--database"},
        paramLabel = "DB",
        description = "The database (default: the first in postgres.databases).")
    String database;

    @Option(
        names = "--role",
        paramLabel = "ROLE",
        description =
            "A role whose statements to check; repeat it for more (default: the roles that connect"
                + " through the pool: the database's app and read-only roles).")
    List<String> roles;

    @Override
    public Integer call() {
      Workspace workspace = parent.root.workspace();
      String db = workspace.database(database);
      Stack stack = workspace.stack();
      List<String> checked =
          roles != null && !roles.isEmpty()
              ? roles
              : List.of(
                  workspace.spec().security().appRole(db),
                  workspace.spec().security().readonlyRole(db));
      PoolerCheck.Report report;
      try (Connection c = connect(monitor(stack, db))) {
        report = PoolerCheck.run(c, checked);
      } catch (SQLException e) {
        throw StrataException.environment(
            "cannot connect to database " + db + ": " + e.getMessage(),
            "start the stack with `strata up` (check it with `strata status`)");
      }
      print(report, parent.root.out());
      return report.clean() ? 0 : 1;
    }

    /** Strata's monitoring role (pg_monitor reads every role's statements), directly. */
    private static PgEndpoint monitor(Stack stack, String db) {
      String role = stack.spec().security().monitorRole();
      String password =
          Secrets.open(stack.stateDir().secretsFile()).require(StackEnvs.postgresSecret(role));
      return stack.env(db).direct().as(role, password);
    }

    private static Connection connect(PgEndpoint endpoint) throws SQLException {
      return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
    }

    private static void print(PoolerCheck.Report report, PrintWriter out) {
      String scope =
          report.statements()
              + " statements of "
              + String.join(", ", report.roles())
              + " in database "
              + report.database()
              + " (pg_stat_statements)";
      if (report.clean()) {
        out.println("no statement that breaks under transaction pooling among the " + scope);
        out.flush();
        return;
      }
      Map<PoolerHazard, List<PoolerFinding>> byHazard = new TreeMap<>();
      for (PoolerFinding f : report.findings()) {
        byHazard.computeIfAbsent(f.hazard(), h -> new java.util.ArrayList<>()).add(f);
      }
      out.println(
          report.findings().size()
              + " statement(s) that break under transaction pooling among the "
              + scope
              + ":");
      byHazard.forEach(
          (hazard, findings) -> {
            out.println();
            out.println(hazard.title() + ":");
            for (PoolerFinding f : findings) {
              out.println(
                  "  "
                      + oneLine(f.query())
                      + "   ("
                      + f.role()
                      + ", "
                      + f.calls()
                      + (f.calls() == 1 ? " call)" : " calls)"));
            }
            out.println("  why: " + hazard.why());
            out.println("  fix: " + hazard.fix());
          });
      out.println();
      out.println(
          "After fixing the application, clear the record with `strata psql --as superuser -- -c \"SELECT"
              + " pg_stat_statements_reset()\"` and let it run again.");
      out.flush();
    }

    private static String oneLine(String query) {
      String line = query.replaceAll("\\s+", " ").trim();
      return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }
  }
}
