package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.strata.ops.monitor.Alerts;
import dev.strata.ops.monitor.MonitoringExport;
import dev.strata.ops.stack.Stack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "alerts",
    description = {
      "The stack's alerts: Prometheus evaluates the rules generated from strata.yaml and its",
      "Alertmanager notifies alerts.receivers (docs/monitoring.md)."
    },
    subcommands = {AlertsCommand.List_.class, AlertsCommand.Test.class, AlertsCommand.Export.class})
final class AlertsCommand {
  @ParentCommand StrataCommand root;

  Alerts alerts() {
    Stack stack = root.workspace().stack();
    return new Alerts(stack.spec(), stack.topology(), () -> stack.log("alertmanager"));
  }

  @Command(name = "list", description = "Prints the alerts firing now (exit 0 either way).")
  static final class List_ implements Callable<Integer> {
    @ParentCommand AlertsCommand parent;

    @Option(names = "--json", description = "Print JSON: name, severity, instance, since, summary.")
    boolean json;

    @Override
    public Integer call() {
      List<Alerts.Firing> firing = parent.alerts().firing();
      PrintWriter out = parent.root.out();
      if (json) {
        ObjectMapper m = new ObjectMapper();
        ArrayNode all = m.createArrayNode();
        for (Alerts.Firing f : firing) {
          all.addObject()
              .put("name", f.name())
              .put("severity", f.severity())
              .put("instance", f.instance())
              .put("since", f.since().toString())
              .put("summary", f.summary());
        }
        out.println(all.toPrettyString());
      } else if (firing.isEmpty()) {
        out.println("no alert is firing");
      } else {
        Table table = new Table("ALERT", "SEVERITY", "INSTANCE", "SINCE", "SUMMARY");
        firing.forEach(
            f ->
                table.row(f.name(), f.severity(), f.instance(), f.since().toString(), f.summary()));
        table.print(out);
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "test",
      description = {
        "Sends a test alert that only RECEIVER gets and waits until Alertmanager has delivered it",
        "(alerts.group_wait and a margin). Exits 1 when it could not."
      })
  static final class Test implements Callable<Integer> {
    @ParentCommand AlertsCommand parent;

    @Parameters(paramLabel = "RECEIVER", description = "A name from alerts.receivers.")
    String receiver;

    @Override
    public Integer call() {
      Alerts.TestResult r = parent.alerts().test(receiver);
      PrintWriter out = r.sent() ? parent.root.out() : parent.root.err();
      out.println(r.detail());
      out.flush();
      return r.sent() ? 0 : 1;
    }
  }

  @Command(
      name = "export",
      description = {
        "Writes the rule files (with their promtool tests), alertmanager.yml and a Grafana",
        "dashboard for a Prometheus of your own. alertmanager.yml holds the receivers' URLs and",
        "keys: it is written readable by you only."
      })
  static final class Export implements Callable<Integer> {
    @ParentCommand AlertsCommand parent;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Where to write them (default: ./strata-monitoring).")
    Path dir;

    @Override
    public Integer call() {
      Path target = parent.root.workDir().resolve(dir == null ? Path.of("strata-monitoring") : dir);
      List<Path> written = MonitoringExport.write(parent.root.workspace().spec(), target);
      PrintWriter out = parent.root.out();
      written.forEach(p -> out.println("wrote " + p));
      out.flush();
      return 0;
    }
  }
}
