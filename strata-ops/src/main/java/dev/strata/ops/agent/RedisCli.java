package dev.strata.ops.agent;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.ops.process.Exec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** redis-cli as one ACL user; the password goes through the environment, never argv. */
record RedisCli(Path binary, RedisEndpoint user) {

  String run(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "-h",
                user.host(),
                "-p",
                Integer.toString(user.port()),
                "--user",
                user.user(),
                "--no-auth-warning",
                "-e"));
    if (user.tls()) {
      command.addAll(List.of("--tls", "--cacert", user.caFile().toString()));
    }
    command.addAll(List.of(args));
    Exec.Result r =
        Exec.of(command)
            .env("REDISCLI_AUTH", user.password())
            .timeout(Duration.ofSeconds(10))
            .run();
    if (!r.ok()) {
      throw StrataException.failed(
          "redis-cli " + args[0] + " failed: " + r.describeFailure(), "", null);
    }
    return r.output();
  }

  /** {@code INFO section} as field: value. */
  Map<String, String> info(String section) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : run("INFO", section).split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        m.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return m;
  }
}
