package dev.strata.cli;

import dev.strata.core.env.StateDir;
import dev.strata.ops.agent.AgentProcess;
import dev.strata.ops.process.Logs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "logs", description = "Prints the end of one server's log.")
final class LogsCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Parameters(
      paramLabel = "INSTANCE",
      description =
          "An instance as strata status names it (postgres-1, pooler-1, redis-1), or a kind"
              + " (postgres, pooler or pgbouncer, redis) for its first instance, or agent.")
  String instance;

  @Option(
      names = {"-n", "--lines"},
      description = "How many lines (default: ${DEFAULT-VALUE}).",
      defaultValue = "50")
  int lines;

  @Option(
      names = {"-F", "--follow"},
      description = "Keep printing lines as they are written, until interrupted.")
  boolean follow;

  @Override
  public Integer call() throws InterruptedException {
    Path log =
        instance.equals("agent")
            ? AgentProcess.log(StateDir.of(root.workspace().dir()))
            : root.workspace().stack().log(instance);
    if (!Files.exists(log)) {
      root.err().println("no log yet at " + log + " (has `strata up` run?)");
      return 0;
    }
    long offset = Logs.size(log);
    root.out().println(Logs.tail(log, lines));
    root.out().flush();
    while (follow) {
      Thread.sleep(250);
      long size = Logs.size(log);
      if (size > offset) {
        root.out().print(Logs.since(log, offset));
        root.out().flush();
        offset = size;
      }
    }
    return 0;
  }
}
