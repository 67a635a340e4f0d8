package dev.strata.cli;

import dev.strata.core.env.StateDir;
import dev.strata.ops.agent.AgentProcess;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "down",
    description =
        "Stops the stack cleanly, PgBouncer first. Data is kept; `strata up` brings it back.")
final class DownCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Override
  public Integer call() {
    // The agent first: it would restart the servers down stops.
    if (AgentProcess.stop(StateDir.of(root.workspace().dir()))) {
      root.err().println("stopped the agent");
    }
    root.workspace().stack(line -> root.err().println(line)).down();
    root.out().println("stack is down; data kept in " + root.workspace().dir().resolve(".strata"));
    return 0;
  }
}
