package dev.strata.cli;

import dev.strata.ops.advisor.Maintenance;
import dev.strata.ops.advisor.MaintenanceAction;
import dev.strata.ops.advisor.MaintenanceReport;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "maintain",
    description = {
      "VACUUM (ANALYZE) of the tables whose dead rows or transaction ID age call for it, REINDEX",
      "INDEX CONCURRENTLY of bloated indexes, duplicate and unused indexes reported (dropped with",
      "DROP INDEX CONCURRENTLY only with --apply), Redis big keys reported and fragmentation",
      "purged (MEMORY PURGE); each action with its reason and the figures before and after.",
      "Runs now, whatever the maintenance window (the agent's schedule keeps to it).",
      "Exit 1 when an action failed."
    })
final class MaintainCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--dry-run", description = "Say what would be done, and change nothing.")
  boolean dryRun;

  @Option(
      names = "--apply",
      description = "Also drop the duplicate and unused indexes (DROP INDEX CONCURRENTLY).")
  boolean apply;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter err = root.err();
    MaintenanceReport report =
        new Maintenance(
                root.workspace().stack(),
                line -> {
                  if (!json) {
                    err.println("running: " + line);
                    err.flush();
                  }
                })
            .run(dryRun, apply);
    PrintWriter out = root.out();
    if (json) {
      out.println(BackupCommand.json(report.toMap()));
    } else {
      print(report, out);
    }
    out.flush();
    return report.failed() ? 1 : 0;
  }

  private static void print(MaintenanceReport report, PrintWriter out) {
    if (report.actions().isEmpty()) {
      out.println("nothing to maintain: no table, index or Redis memory past its threshold");
      return;
    }
    for (MaintenanceAction a : report.actions()) {
      out.println(a.outcome().label() + " " + a.kind() + " " + a.target());
      out.println("  why: " + a.reason());
      if (!a.command().isEmpty()) {
        out.println("  command: " + a.command());
      }
      if (!a.before().isEmpty()) {
        out.println(
            "  before: "
                + figures(a.before())
                + (a.after().isEmpty() ? "" : "; after: " + figures(a.after())));
      }
      if (!a.error().isEmpty()) {
        out.println(
            "  "
                + (a.outcome() == MaintenanceAction.Outcome.FAILED ? "error: " : "note: ")
                + a.error());
      }
    }
    if (report.dryRun()) {
      out.println("dry run: nothing was changed");
    }
  }

  private static String figures(Map<String, Object> f) {
    return new java.util.TreeMap<>(f)
        .entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }
}
