package dev.strata.ops.process;

import java.nio.file.Path;
import java.util.Optional;

/** A server Strata supervises: started as a daemon, found again through its pid file. */
public interface Server {
  /** Whether the server process is alive. */
  default boolean running() {
    return process().isPresent();
  }

  /** The live process, if any. */
  Optional<ProcessHandle> process();

  /**
   * Writes the server's configuration and, if it is not running, starts it and waits until it
   * answers. A running server whose configuration changed is told to reload it.
   *
   * @return whether this call started the server
   */
  boolean start();

  /** Stops the server cleanly, keeping its data; a no-op when it is not running. */
  void stop();

  /** The running server's version, asked of the server itself. */
  Optional<String> version();

  /** Where clients reach it, e.g. {@code 127.0.0.1:5432}. */
  String endpoint();

  /** The server's log file. */
  Path log();
}
