package dev.strata.ops.agent;

import dev.strata.core.env.AgentAddress;
import dev.strata.core.env.StateDir;
import dev.strata.core.io.PropertiesFile;
import dev.strata.ops.process.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's files in {@code .strata/agent/}: {@code agent.properties} (pid, url; while it runs),
 * {@code port} (the port picked for {@code agent.port: 0}, kept so the URL and the Prometheus
 * target stay the same across restarts), {@code agent.log}; and its Prometheus scrape target {@code
 * .strata/prometheus/targets/agent.json}.
 */
final class AgentFiles {
  private AgentFiles() {}

  static Path log(StateDir dir) {
    return AgentAddress.folder(dir).resolve("agent.log");
  }

  /** The configured port, or the one remembered for port 0 (a new free one if it is taken). */
  static int port(StateDir dir, String bind, int configured) {
    if (configured != 0) {
      return configured;
    }
    Path file = AgentAddress.folder(dir).resolve("port");
    try {
      if (Files.exists(file)) {
        int kept = Integer.parseInt(Files.readString(file).trim());
        if (!Ports.listening(bind.equals("0.0.0.0") ? "127.0.0.1" : bind, kept)) {
          return kept;
        }
      }
      int port = Ports.free(bind);
      Files.createDirectories(file.getParent());
      Files.writeString(file, port + "\n");
      return port;
    } catch (IOException | NumberFormatException e) {
      return Ports.free(bind);
    }
  }

  static void running(StateDir dir, long pid, String url) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("pid", Long.toString(pid));
    values.put("url", url);
    PropertiesFile.write(AgentAddress.file(dir), values, "the running strata agent", "rw-r--r--");
  }

  static void stopped(StateDir dir, long pid) {
    if (AgentAddress.running(dir).map(a -> a.pid() == pid).orElse(true)) {
      try {
        Files.deleteIfExists(AgentAddress.file(dir));
      } catch (IOException e) {
        // Left behind: AgentAddress believes it only while the pid lives.
      }
    }
  }

  /** The file_sd target Prometheus scrapes the agent's /metrics through (job strata_agent). */
  static void prometheusTarget(StateDir dir, String host, int port) {
    Path file = dir.root().resolve("prometheus/targets/agent.json");
    String json =
        "[{\"targets\": [\""
            + host
            + ":"
            + port
            + "\"], \"labels\": {\"job\": \"strata_agent\", \"instance\": \"agent\","
            + " \"__metrics_path__\": \"/metrics\"}}]\n";
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("agent.json.tmp");
      Files.writeString(tmp, json);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
