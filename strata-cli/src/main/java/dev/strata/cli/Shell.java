package dev.strata.cli;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs an interactive client (psql, redis-cli) for the user: on a terminal it takes the terminal
 * over; otherwise its output is copied to the command's output. Credentials go in through {@code
 * env}, never the arguments.
 */
final class Shell {
  private Shell() {}

  static int run(List<String> command, Map<String, String> env, StrataCommand root) {
    boolean terminal = root.terminal();
    PrintWriter out = root.out();
    // In the command's working folder, so relative paths (psql -f file.sql) mean what they say.
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.workDir().toFile());
    pb.environment().putAll(env);
    if (terminal) {
      pb.inheritIO();
    } else {
      pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.INHERIT);
    }
    try {
      Process process = pb.start();
      if (!terminal) {
        try (InputStream in = process.getInputStream()) {
          out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          out.flush();
        }
      }
      return process.waitFor();
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot run " + command.get(0) + ": " + e.getMessage(), "check that it is installed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }
}
