package dev.strata.core.env;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a stack remembers between commands: the ports it picked for {@code port: 0}, so {@code
 * strata env} and the next {@code strata up} use the same ones.
 */
public final class StackState {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, Integer> ports;

  private StackState(Path file, Map<String, Integer> ports) {
    this.file = file;
    this.ports = ports;
  }

  /** Reads the state file; empty when there is none yet. */
  public static StackState load(Path file) {
    if (!Files.exists(file)) {
      return new StackState(file, new TreeMap<>());
    }
    try {
      Map<String, Map<String, Integer>> doc =
          JSON.readValue(file.toFile(), new TypeReference<>() {});
      return new StackState(file, new TreeMap<>(doc.getOrDefault("ports", Map.of())));
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot read " + file + ": " + e.getMessage(),
          "delete it (the next `strata up` picks ports again) or restore it");
    }
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
    try {
      Files.createDirectories(file.getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), Map.of("ports", ports));
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write " + file + ": " + e.getMessage(),
          "check that the state directory is writable");
    }
  }
}
