package dev.strata.cli;

import dev.strata.core.env.RedisEndpoint;
import dev.strata.ops.stack.Stack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "redis-cli",
    description = {
      "Opens redis-cli on the stack's Redis as an ACL user.",
      "Arguments after -- go to redis-cli, e.g. strata redis-cli -- GET key."
    })
final class RedisCliCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(
      names = "--as",
      paramLabel = "USER",
      defaultValue = "app",
      description =
          "app (default; no @dangerous commands) or monitor (INFO and statistics, no keys).")
  String user;

  @Parameters(paramLabel = "REDIS_CLI_ARGS", description = "Passed to redis-cli.")
  List<String> cliArgs = new ArrayList<>();

  @Override
  public Integer call() {
    Stack stack = root.workspace().stack();
    RedisEndpoint redis = stack.redisEndpoint(user);
    List<String> command =
        new ArrayList<>(
            List.of(
                stack.tools().redisCli().toString(),
                "-h",
                redis.host(),
                "-p",
                Integer.toString(redis.port()),
                "--user",
                redis.user()));
    if (redis.tls()) {
      command.addAll(List.of("--tls", "--cacert", redis.caFile().toString()));
    }
    if (!redis.nodes().clusterNodes().isEmpty()) {
      command.add("-c"); // follow MOVED redirects to the node that holds a key's slot
    }
    command.addAll(cliArgs);
    return Shell.run(command, Map.of("REDISCLI_AUTH", redis.password()), root);
  }
}
