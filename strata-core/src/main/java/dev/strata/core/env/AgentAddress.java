package dev.strata.core.env;

import dev.strata.core.io.PropertiesFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a stack's running agent listens, as it wrote it in {@code .strata/agent/agent.properties}
 * when it started ({@code pid}, {@code url}). Believed only while that process is alive, so a
 * killed agent's file never sends a client to nothing.
 *
 * @param pid the agent's process
 * @param url its HTTP base, e.g. {@code http://127.0.0.1:41234}
 */
public record AgentAddress(long pid, String url) {

  /** The agent's folder in a state folder. */
  public static Path folder(StateDir dir) {
    return dir.component("agent");
  }

  /** The file the running agent describes itself in. */
  public static Path file(StateDir dir) {
    return folder(dir).resolve("agent.properties");
  }

  /** The running agent of a stack, if one runs. */
  public static Optional<AgentAddress> running(StateDir dir) {
    Path file = file(dir);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Map<String, String> p = PropertiesFile.read(file, "delete " + file);
      long pid = Long.parseLong(p.getOrDefault("pid", "-1"));
      String url = p.get("url");
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      return alive && url != null ? Optional.of(new AgentAddress(pid, url)) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
