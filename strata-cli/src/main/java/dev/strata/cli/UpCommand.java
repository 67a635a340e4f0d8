package dev.strata.cli;

import dev.strata.core.env.StateDir;
import dev.strata.ops.agent.AgentProcess;
import dev.strata.ops.stack.ComponentStatus;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "up",
    description = {
      "Starts PostgreSQL, PgBouncer and Redis (creating them on first run) and waits until each answers.",
      "Running it again changes nothing; a changed strata.yaml is applied (a changed port or bind"
          + " address only with --restart). A failed up stops what it started."
    })
final class UpCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(
      names = "--restart",
      description =
          "Restart the running servers whose changed settings (postgres.port, pooler.port,"
              + " security.bind, …) they take only when they start.")
  boolean restart;

  @Option(
      names = "--no-agent",
      description = "Do not start the agent (supervision, schedules, dashboard) this time.")
  boolean noAgent;

  @Override
  public Integer call() {
    Workspace workspace = root.workspace();
    long start = System.nanoTime();
    if (restart) {
      // Restarting servers on purpose: the agent would take them for crashed.
      AgentProcess.stop(StateDir.of(workspace.dir()));
    }
    List<ComponentStatus> status = workspace.stack(line -> root.err().println(line)).up(restart);
    StatusTable.print(status, root.out());
    if (!workspace.spec().agent().enabled()) {
      AgentProcess.stop(StateDir.of(workspace.dir())); // agent.enabled: false now
    } else if (AgentLauncher.wanted(workspace, noAgent)) {
      AgentLauncher.Started agent = AgentLauncher.ensure(workspace);
      root.out()
          .println(
              "agent: "
                  + agent.agent().url()
                  + " (pid "
                  + agent.agent().pid()
                  + (agent.now() ? ", started" : ", already running")
                  + "; dashboard at "
                  + agent.agent().url()
                  + "/)");
    }
    root.out()
        .printf(
            "stack is up in %.1f s; `strata env` prints its connection strings%n",
            (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
