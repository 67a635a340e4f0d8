package dev.strata.cli;

import dev.strata.ops.ha.Failovers;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "switchover",
    description = {
      "Hands the PostgreSQL leadership to a healthy replica (postgres.nodes > 1): the leader",
      "steps down once the replica has every commit; PgBouncer follows, clients see a pause."
    })
final class SwitchoverCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--to", paramLabel = "NODE", description = "The replica to promote (postgres-2).")
  String to;

  @Override
  public Integer call() {
    Failovers failovers = new Failovers(root.workspace().stack().context());
    Failovers.Change change = failovers.switchover(Optional.ofNullable(to));
    root.out()
        .println(
            "switched over: "
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
