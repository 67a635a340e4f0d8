package dev.strata.ops.agent;

import dev.strata.core.StrataException;
import dev.strata.core.env.AgentAddress;
import dev.strata.core.env.StateDir;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent as a background process of a stack: started detached (its output in {@code
 * .strata/agent/agent.log}), found by {@link AgentAddress}, stopped by SIGTERM.
 */
public final class AgentProcess {
  private static final Duration START_LIMIT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private AgentProcess() {}

  /** The agent's log file. */
  public static Path log(StateDir dir) {
    return AgentFiles.log(dir);
  }

  /**
   * Starts {@code command} (a JVM running {@code strata agent run}) detached and waits until it
   * answers on {@code /health}.
   *
   * @throws StrataException when it exits or does not answer in time, with the end of its log
   */
  public static AgentAddress startDetached(StateDir dir, List<String> command) {
    Path log = log(dir);
    List<String> full = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      full.add("/usr/bin/setsid"); // its own session: a signal to the terminal's group misses it
    }
    full.addAll(command);
    Process p;
    try {
      Files.createDirectories(log.getParent());
      p =
          new ProcessBuilder(full)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot start the agent (" + full.get(0) + "): " + e.getMessage(),
          "check that java is on the PATH, or start it by hand: strata agent run");
    }
    boolean up =
        Wait.until(
            () ->
                !p.isAlive() || AgentAddress.running(dir).filter(a -> answers(a.url())).isPresent(),
            START_LIMIT);
    Optional<AgentAddress> agent = AgentAddress.running(dir);
    if (!up || !p.isAlive() && agent.isEmpty()) {
      p.destroy();
      throw StrataException.environment(
          "the agent did not start: " + tail(log),
          "see " + log + "; start it in the foreground to watch it: strata agent run");
    }
    return agent.orElseThrow();
  }

  /**
   * Stops the stack's agent, if one runs: SIGTERM, then SIGKILL after 30 s.
   *
   * @return whether one was running
   */
  public static boolean stop(StateDir dir) {
    Optional<AgentAddress> agent = AgentAddress.running(dir);
    if (agent.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(agent.get().pid());
    if (p.isEmpty()) {
      return false;
    }
    p.get().destroy();
    if (!Wait.until(() -> !PidFile.running(p.get()), STOP_GRACE)) {
      p.get().destroyForcibly();
      Wait.until(() -> !PidFile.running(p.get()), Duration.ofSeconds(5));
    }
    try {
      Files.deleteIfExists(AgentAddress.file(dir));
    } catch (IOException e) {
      // AgentAddress believes the file only while its pid lives.
    }
    return true;
  }

  /** Whether the agent at {@code url} answers {@code /health} at all (degraded counts). */
  public static boolean answers(String url) {
    try {
      HttpResponse<Void> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/health"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200 || r.statusCode() == 503 || r.statusCode() == 401;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
