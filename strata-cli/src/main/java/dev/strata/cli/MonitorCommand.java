package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.ops.advisor.Advisor;
import dev.strata.ops.advisor.Finding;
import dev.strata.ops.advisor.MonitorReport;
import dev.strata.ops.advisor.Section;
import dev.strata.ops.advisor.Verdict;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "monitor",
    description = {
      "One report of the running stack, each check with its verdict (ok, warn, critical) and the",
      "threshold it used (advisor: in strata.yaml): connections by state, slow statements",
      "(pg_stat_statements), tables and indexes (sizes, dead rows, bloat, unused, duplicate),",
      "locks and blocking chains, replication, transaction ID age, cache hit ratio, Redis memory,",
      "keys, hit ratio, replication and big keys, tenancy audit, migrations, backups.",
      "Exit 1 when a check is critical."
    })
final class MonitorCommand implements Callable<Integer> {
  /** Sections whose rows are worth a table in the text report. */
  private static final Set<String> TABULATED =
      Set.of("connections", "slow_queries", "tables", "indexes", "redis_big_keys");

  @ParentCommand StrataCommand root;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(
      names = "--watch",
      paramLabel = "SECONDS",
      arity = "0..1",
      fallbackValue = "5",
      description = "Print the report again every SECONDS (default 5) until interrupted.")
  Integer watch;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "With --watch: stop after N reports (default: never).")
  Integer count;

  @Override
  public Integer call() throws InterruptedException {
    if (watch != null && watch < 1) {
      throw StrataException.badInput(
          "--watch must be at least 1 second, but was " + watch, "give e.g. --watch 10");
    }
    Advisor advisor = new Advisor(root.workspace().stack());
    PrintWriter out = root.out();
    MonitorReport report = advisor.report();
    print(report, out);
    for (int n = 1; watch != null && (count == null || n < count); n++) {
      Thread.sleep(watch * 1000L); // the user's refresh interval, not a wait for a server
      report = advisor.report();
      print(report, out);
    }
    return report.verdict() == Verdict.CRITICAL ? 1 : 0;
  }

  private void print(MonitorReport report, PrintWriter out) {
    if (json) {
      out.println(BackupCommand.json(report.toMap()));
      out.flush();
      return;
    }
    out.println("strata monitor at " + report.at() + ": " + report.verdict().label());
    for (Section s : report.sections()) {
      out.println();
      out.println(s.name() + ": " + s.verdict().label());
      Table table = new Table("VERDICT", "CHECK", "SUBJECT", "VALUE", "THRESHOLD");
      for (Finding f : s.findings()) {
        table.row(f.verdict().label(), f.check(), f.subject(), f.value(), f.threshold());
        if (!f.detail().isEmpty()) {
          table.row("", "", "", "-> " + f.detail(), "");
        }
      }
      table.print(out);
      if (TABULATED.contains(s.name()) && !s.rows().isEmpty()) {
        rows(s.rows(), out);
      }
    }
    out.flush();
  }

  private static void rows(List<Map<String, Object>> rows, PrintWriter out) {
    List<String> columns = new ArrayList<>(rows.get(0).keySet());
    Table table =
        new Table(columns.stream().map(c -> "  " + c.toUpperCase()).toArray(String[]::new));
    for (Map<String, Object> r : rows) {
      table.row(
          columns.stream()
              .map(c -> "  " + oneLine(String.valueOf(r.get(c))))
              .toArray(String[]::new));
    }
    table.print(out);
  }

  private static String oneLine(String s) {
    String line = s.replaceAll("\\s+", " ").trim();
    return line.length() > 80 ? line.substring(0, 77) + "..." : line;
  }
}
