package dev.strata.cli;

import dev.strata.ops.ha.Failovers;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "failover",
    description = {
      "Promotes a PostgreSQL replica when no healthy leader is left (postgres.nodes > 1).",
      "Needs --force: with synchronous: false the last commits of the old leader may be lost."
    })
final class FailoverCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--to", paramLabel = "NODE", description = "The replica to promote.")
  String to;

  @Option(names = "--force", description = "Promote even though the leader may be alive.")
  boolean force;

  @Override
  public Integer call() {
    Failovers failovers = new Failovers(root.workspace().stack().context());
    Failovers.Change change = failovers.failover(Optional.ofNullable(to), force);
    root.out()
        .println(
            "failed over: "
                + change.from()
                + " -> "
                + change.to()
                + " in "
                + change.took().toMillis()
                + " ms");
    root.out().flush();
    return 0;
  }
}
