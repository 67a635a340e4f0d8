package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.env.StateDir;
import dev.strata.ops.agent.AgentProcess;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "destroy",
    description = "Stops the stack and deletes .strata/: every database, key, log and secret.")
final class DestroyCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--yes", description = "Confirm that all data of this stack is to be deleted.")
  boolean yes;

  @Override
  public Integer call() {
    Workspace workspace = root.workspace();
    if (!yes) {
      throw StrataException.badInput(
          "destroy deletes every database, key and secret in " + workspace.dir().resolve(".strata"),
          "run `strata destroy --yes` if that is what you want, or `strata down` to stop and keep the data");
    }
    AgentProcess.stop(StateDir.of(workspace.dir()));
    workspace.stack(line -> root.err().println(line)).destroy();
    root.out().println("stack destroyed");
    return 0;
  }
}
