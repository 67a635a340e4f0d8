package dev.strata.ops.component;

import dev.strata.core.topology.Instance;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One engine of a stack — a PostgreSQL node, PgBouncer, a Redis node, and whatever a later engine
 * adds — with the lifecycle {@code Stack} drives: it renders its files from the resolved stack,
 * starts, reloads, answers a health check, stops. The stack starts components in dependency order
 * (in parallel where independent), rolls back every component whose start it attempted when one
 * fails, and stops them in reverse order. Adding an engine is one implementation of this interface
 * and one line in {@code dev.strata.ops.stack.StackPlan}.
 */
public interface Component {

  /** The instance this component runs: its id ({@code postgres-1}), kind, role and port. */
  Instance instance();

  /** The instance id, how commands and logs name it. */
  default String id() {
    return instance().id();
  }

  /** The ids of the components that must be healthy before this one starts. */
  List<String> dependsOn();

  /** The TCP ports it listens on, with the strata.yaml key that sets each. */
  default List<PortClaim> ports() {
    return List.of(new PortClaim(instance().port(), instance().kind().key() + ".port"));
  }

  /**
   * Settings this component needs in every PostgreSQL node's postgresql.conf, e.g. {@code
   * archive_command} for a backup engine or a library in {@code shared_preload_libraries} (list
   * settings are merged, see {@link PostgresSettings}).
   */
  default Map<String, String> postgresSettings() {
    return Map.of();
  }

  /**
   * Checks what it needs from the machine and strata.yaml that no server has to run for (an
   * extension's files, say), so that a mistake is found before anything starts.
   *
   * @throws dev.strata.core.StrataException naming the cause and the fix
   */
  default void preflight() {}

  /**
   * Slow first-run work that needs no other component running (initdb, say), so that the stack
   * overlaps it with the rest. A no-op by default and after the first run.
   */
  default void prepare() {}

  /**
   * Writes the component's files (configuration, auth files) from the resolved stack.
   *
   * @return whether a file changed
   */
  boolean render();

  /**
   * Renders its files and, when it is not running, starts it and waits until it is healthy; a
   * running component whose files changed is reloaded.
   *
   * @return whether this call started it
   * @throws dev.strata.core.StrataException with the cause and the fix when it cannot start
   */
  boolean start();

  /** Stops it cleanly, keeping its data; a no-op when it is not running. */
  void stop();

  /** Tells the running component to re-read its files. */
  void reload();

  /** Tells the running component to load a reissued TLS certificate and key. */
  default void reloadTls() {
    reload();
  }

  /** Whether it answers the way its clients use it (a query, a PING). */
  boolean healthy();

  /**
   * Changes in its rendered settings that the running process applies only after a restart, each as
   * {@code "name (what): running value -> wanted value"}; empty when none or when not running.
   */
  default List<String> pendingRestart() {
    return List.of();
  }

  /**
   * What the live component reports about itself beyond running or stopped, in display order (an
   * insertion-ordered map): a replicated node's live role ({@code role: leader}), its timeline, its
   * replication lag, a supervisor's restart count. Asked of the live server; empty when it is not
   * running or has nothing to add. {@code strata status} prints each entry and {@code status
   * --json} carries them as {@code details}.
   */
  default Map<String, String> details() {
    return Map.of();
  }

  /** The live process, if any. */
  Optional<ProcessHandle> process();

  /** Whether the process is alive. */
  default boolean running() {
    return process().isPresent();
  }

  /** The running server's version, asked of the server itself. */
  Optional<String> version();

  /** Where clients reach it, e.g. {@code 127.0.0.1:5432}. */
  default String endpoint() {
    return instance().endpoint();
  }

  /** Its log file. */
  Path log();

  /** A port a component listens on and the strata.yaml key that sets it. */
  record PortClaim(int port, String key) {}
}
