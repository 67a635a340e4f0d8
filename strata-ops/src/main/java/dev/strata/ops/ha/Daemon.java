package dev.strata.ops.ha;

import dev.strata.core.StrataException;
import dev.strata.ops.process.RunAs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a server that does not daemonize itself (etcd, Patroni) in its own session as the servers'
 * user, its output appended to its log, its pid written to a pid file: it outlives the strata
 * command that started it, like the servers that fork on their own.
 */
final class Daemon {
  private Daemon() {}

  static void start(RunAs runAs, List<String> command, Path log, Path pidFile) {
    List<String> line = new ArrayList<>();
    line.add("sh");
    line.add("-c");
    line.add("setsid \"$@\" >> \"$LOG\" 2>&1 < /dev/null & echo $! > \"$PIDFILE\"");
    line.add("strata-daemon");
    line.addAll(command);
    var result =
        dev.strata.ops.process.Exec.of(runAs.wrap(line))
            .env("LOG", log.toString())
            .env("PIDFILE", pidFile.toString())
            .run();
    if (!result.ok()) {
      throw StrataException.failed(
          "could not start " + command.get(0) + ": " + result.describeFailure(),
          "see " + log,
          null);
    }
  }
}
