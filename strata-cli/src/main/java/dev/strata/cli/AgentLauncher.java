package dev.strata.cli;

import dev.strata.core.env.AgentAddress;
import dev.strata.core.env.StateDir;
import dev.strata.ops.agent.AgentProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How {@code strata up} starts the agent: a JVM of its own running {@code strata -f FILE agent
 * run}, detached, from the same classes as this command.
 */
final class AgentLauncher {
  /**
   * A system property that, set to {@code false}, keeps {@code up} from starting the agent: the CLI
   * integration tests that do not test it set it, so they stay fast.
   */
  static final String AUTOSTART = "strata.agent.autostart";

  private AgentLauncher() {}

  /** Whether {@code up} starts the agent of this workspace. */
  static boolean wanted(Workspace workspace, boolean noAgent) {
    return !noAgent
        && workspace.spec().agent().enabled()
        && !"false".equals(System.getProperty(AUTOSTART));
  }

  /**
   * Starts the agent, or restarts a running one that is older than strata.yaml (so changed
   * schedules apply).
   *
   * @return the running agent, and whether this call started it
   */
  static Started ensure(Workspace workspace) {
    StateDir dir = StateDir.of(workspace.dir());
    Optional<AgentAddress> running = AgentAddress.running(dir);
    if (running.isPresent() && !stale(workspace, dir)) {
      return new Started(running.get(), false);
    }
    AgentProcess.stop(dir);
    return new Started(AgentProcess.startDetached(dir, command(workspace)), true);
  }

  record Started(AgentAddress agent, boolean now) {}

  private static boolean stale(Workspace workspace, StateDir dir) {
    try {
      return Files.exists(workspace.specFile())
          && Files.getLastModifiedTime(workspace.specFile())
                  .compareTo(Files.getLastModifiedTime(AgentAddress.file(dir)))
              > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A copy of the CLI's jar in {@code .strata/agent/}: the launcher rebuilds {@code strata.jar}
   * when the sources change, and a long-running JVM whose jar is rewritten under it fails at its
   * next class load.
   */
  private static String ownCopy(String classpath, StateDir dir) {
    Path jar = Path.of(classpath);
    if (classpath.contains(java.io.File.pathSeparator)
        || !classpath.endsWith(".jar")
        || !Files.isRegularFile(jar)) {
      return classpath;
    }
    Path copy = AgentAddress.folder(dir).resolve("strata-agent.jar");
    try {
      Files.createDirectories(copy.getParent());
      Path tmp = copy.resolveSibling("strata-agent.jar.tmp");
      Files.copy(jar, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return copy.toString();
    } catch (IOException e) {
      return classpath;
    }
  }

  private static List<String> command(Workspace workspace) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .filter(c -> c.endsWith("/java"))
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String jar = System.getProperty("strata.cli.jar");
    String classpath =
        jar != null && Files.isRegularFile(Path.of(jar))
            ? jar
            : System.getProperty("java.class.path");
    classpath = ownCopy(classpath, StateDir.of(workspace.dir()));
    // A small, quiet JVM: the agent mostly sleeps between checks.
    return List.of(
        java,
        "-XX:+UseSerialGC",
        "-Xms16m",
        "-Xmx128m",
        "-XX:TieredStopAtLevel=1",
        "-Xss512k",
        "-cp",
        classpath,
        Main.class.getName(),
        "-f",
        workspace.specFile().toString(),
        "agent",
        "run");
  }
}
