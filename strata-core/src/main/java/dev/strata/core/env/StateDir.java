package dev.strata.core.env;

import java.nio.file.Path;

/**
 * The {@code .strata/} folder beside strata.yaml: data, rendered configuration, logs, TLS material,
 * secrets and state of one stack.
 */
public record StateDir(Path root) {

  /** The state folder of the project whose strata.yaml lives in {@code projectDir}. */
  public static StateDir of(Path projectDir) {
    return new StateDir(projectDir.toAbsolutePath().normalize().resolve(".strata"));
  }

  /** Generated passwords, mode 0600. */
  public Path secretsFile() {
    return root.resolve("secrets");
  }

  /** Ports picked for port 0 and other facts a later command needs. */
  public Path stateFile() {
    return root.resolve("state.properties");
  }

  public Path tlsDir() {
    return root.resolve("tls");
  }

  /** The CA clients verify the servers with. */
  public Path caFile() {
    return tlsDir().resolve("ca.crt");
  }

  /** The folder of one component (its data, configuration, log and pid file). */
  public Path component(String name) {
    return root.resolve(name);
  }

  /** Serialises commands that change the stack. */
  public Path lockFile() {
    return root.resolve("lock");
  }
}
