package dev.strata.ops.ha;

import dev.strata.core.io.PropertiesFile;
import dev.strata.ops.process.Ports;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The second ports of an HA instance (an etcd member's peer port, a Patroni node's REST API), which
 * the topology's one port per instance does not cover: picked free on first use and remembered in
 * the instance's folder, so they stay the same across restarts.
 */
final class HaPorts {
  private final Path file;
  private final String bind;

  HaPorts(Path folder, String bind) {
    this.file = folder.resolve("ports.properties");
    this.bind = bind;
  }

  /** The remembered port {@code name}, picked and remembered when there is none yet. */
  synchronized int port(String name) {
    Map<String, String> ports = new TreeMap<>(PropertiesFile.read(file, fix()));
    String known = ports.get(name);
    if (known != null && known.matches("\\d+")) {
      return Integer.parseInt(known);
    }
    int picked = Ports.free(bind);
    ports.put(name, Integer.toString(picked));
    PropertiesFile.write(file, ports, "Ports picked by strata up for this instance.", "rw-r--r--");
    return picked;
  }

  /** The remembered port {@code name}, or 0 when none was picked (the stack was never up). */
  int known(String name) {
    String known = PropertiesFile.read(file, fix()).get(name);
    return known != null && known.matches("\\d+") ? Integer.parseInt(known) : 0;
  }

  private String fix() {
    return "delete " + file + " and run strata up --restart (new ports are picked)";
  }
}
