package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.spec.TenancySpec;
import dev.strata.jdbc.tenant.audit.Finding;
import dev.strata.jdbc.tenant.audit.ProbeResult;
import dev.strata.jdbc.tenant.audit.ProofReport;
import dev.strata.jdbc.tenant.audit.TenancyAudit;
import dev.strata.jdbc.tenant.audit.TenancyPlan;
import dev.strata.jdbc.tenant.audit.TenancyProof;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "tenancy",
    description = {
      "Tenant isolation by Row-Level Security, from the tenancy section of strata.yaml.",
      "plan writes the migration, verify audits the live database, test proves isolation."
    },
    subcommands = {
      TenancyCommand.Plan.class,
      TenancyCommand.Verify.class,
      TenancyCommand.Test.class
    })
final class TenancyCommand {
  @ParentCommand StrataCommand root;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "The database (default: the first in postgres.databases).")
  String database;

  /** What every subcommand works on: the spec, the database, and how to reach it. */
  private record Target(Workspace workspace, String database, StackEnv env) {
    TenancySpec spec() {
      return workspace.spec().tenancy();
    }
  }

  private Target target() {
    Workspace workspace = root.workspace();
    String db = workspace.database(database);
    return new Target(workspace, db, workspace.stack().env(db));
  }

  private static Connection connect(PgEndpoint endpoint) {
    try {
      return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
    } catch (SQLException e) {
      throw StrataException.environment(
          "cannot connect to " + endpoint + ": " + e.getMessage(),
          "start the stack with `strata up` (check it with `strata status`)");
    }
  }

  private static StrataException failed(String what, SQLException e) {
    return StrataException.failed(
        what + " failed: " + e.getMessage(),
        "check the database with `strata status` and `strata logs postgres`",
        e);
  }

  @Command(
      name = "plan",
      description = {
        "Writes the next migration (up and down files in migrations.dir, default migrations/) that",
        "enables and forces RLS on the tenant tables, creates their policies and indexes the",
        "tenant column. Review it, commit it, apply it like any other migration."
      })
  static final class Plan implements Callable<Integer> {
    @ParentCommand TenancyCommand tenancy;

    @Override
    public Integer call() {
      Target t = tenancy.target();
      PrintWriter out = tenancy.root.out();
      TenancyPlan plan;
      try (Connection conn = connect(t.env().direct())) {
        plan = TenancyPlan.plan(conn, t.spec());
      } catch (SQLException e) {
        throw failed("reading the tenant tables", e);
      }
      Path migrations = MigrateTarget.folder(t.workspace());
      plan.write(migrations)
          .ifPresentOrElse(
              up ->
                  out.println(
                      "wrote "
                          + t.workspace().dir().relativize(up)
                          + " and its .down.sql: isolates "
                          + String.join(", ", plan.tables())
                          + "\nreview it, then apply it with your migrations"),
              () -> out.println("every tenant table is isolated already: nothing to write"));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "verify",
      description = {
        "Audits the live database: RLS enabled and forced with a policy per command on every",
        "tenant table, an app role that cannot bypass it, no uncovered table, no view or",
        "SECURITY DEFINER function around it, indexed policy columns. Exit 1 on any finding."
      })
  static final class Verify implements Callable<Integer> {
    @ParentCommand TenancyCommand tenancy;

    @Override
    public Integer call() {
      Target t = tenancy.target();
      String appRole = t.workspace().spec().security().appRole(t.database());
      List<Finding> findings;
      try (Connection conn = connect(t.env().direct())) {
        findings = TenancyAudit.run(conn, t.spec(), appRole);
      } catch (SQLException e) {
        throw failed("the audit", e);
      }
      PrintWriter out = tenancy.root.out();
      if (findings.isEmpty()) {
        out.println("tenant isolation verified: no findings");
        out.flush();
        return 0;
      }
      Table table = new Table("SEVERITY", "OBJECT", "PROBLEM");
      for (Finding f : findings) {
        table.row(f.severity().name(), f.object(), f.problem());
        table.row("", "", "fix: " + f.fix());
      }
      table.print(out);
      out.println(findings.size() + " finding" + (findings.size() == 1 ? "" : "s"));
      out.flush();
      return 1;
    }
  }

  @Command(
      name = "test",
      description = {
        "Proves isolation through DATABASE_URL as the app role, in transactions that are rolled",
        "back: tenant B cannot read, update, delete, insert or move tenant A's rows; without a",
        "tenant nothing is visible or writable; admin sees every tenant. Exit 1 on any leak."
      })
  static final class Test implements Callable<Integer> {
    @ParentCommand TenancyCommand tenancy;

    @Option(
        names = "--fuzz",
        paramLabel = "N",
        defaultValue = "0",
        description = "Also make N random cross-tenant attempts and count leaks (default: 0).")
    int fuzz;

    @Option(
        names = "--seed",
        paramLabel = "SEED",
        description = "Seed of the random attempts, to repeat a run (default: random).")
    Long seed;

    @Override
    public Integer call() {
      if (fuzz < 0) {
        throw StrataException.badInput(
            "--fuzz must not be negative, but was " + fuzz, "give a count such as --fuzz 1000");
      }
      Target t = tenancy.target();
      long usedSeed = seed == null ? new Random().nextLong() : seed;
      ProofReport report;
      try (Connection conn = connect(t.env().pooled())) {
        report = TenancyProof.run(conn, t.spec(), fuzz, new Random(usedSeed));
      } catch (SQLException e) {
        throw failed("the isolation test", e);
      }
      PrintWriter out = tenancy.root.out();
      Table table = new Table("TABLE", "OPERATION", "IDENTITY", "EXPECTED", "RESULT", "");
      for (ProbeResult p : report.probes()) {
        table.row(
            p.table(),
            p.operation(),
            p.identity(),
            p.expected(),
            p.outcome(),
            p.passed() ? "ok" : "LEAK");
      }
      table.print(out);
      report.unproven().forEach(u -> out.println("not tested: " + u));
      if (report.fuzzAttempts() > 0) {
        out.println(
            "fuzz: "
                + report.fuzzAttempts()
                + " random cross-tenant attempts (seed "
                + usedSeed
                + "), "
                + report.fuzzLeaks()
                + " leaks, "
                + report.fuzzErrors()
                + " unexpected errors");
      }
      out.println(report.passed() ? "tenant isolation holds" : "TENANT ISOLATION FAILED");
      out.flush();
      return report.passed() ? 0 : 1;
    }
  }
}
