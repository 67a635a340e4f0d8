package dev.strata.core.env;

import dev.strata.core.io.PropertiesFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a stack remembers between commands: the ports it picked for {@code port: 0}, so {@code
 * strata env} and the next {@code strata up} use the same ones.
 */
public final class StackState {
  private static final String PORT_PREFIX = "port.";

  private final Path file;
  private final Map<String, Integer> ports;

  private StackState(Path file, Map<String, Integer> ports) {
    this.file = file;
    this.ports = ports;
  }

  /** Reads the state file; empty when there is none yet. */
  public static StackState load(Path file) {
    Map<String, String> values =
        PropertiesFile.read(
            file, "delete it (the next `strata up` picks ports again) or restore it");
    Map<String, Integer> ports = new TreeMap<>();
    values.forEach(
        (key, value) -> {
          if (key.startsWith(PORT_PREFIX) && value.matches("\\d{1,5}")) {
            ports.put(key.substring(PORT_PREFIX.length()), Integer.valueOf(value));
          }
        });
    return new StackState(file, ports);
  }

  /** The port remembered for {@code component}. */
  public Optional<Integer> port(String component) {
    return Optional.ofNullable(ports.get(component));
  }

  /** Remembers a port and saves the state. */
  public synchronized void rememberPort(String component, int port) {
    if (Integer.valueOf(port).equals(ports.put(component, port))) {
      return;
    }
    Map<String, String> values = new TreeMap<>();
    ports.forEach((c, p) -> values.put(PORT_PREFIX + c, Integer.toString(p)));
    PropertiesFile.write(
        file, values, "Remembered by strata up: the ports it picked for port: 0.", "rw-r--r--");
  }
}
