package dev.strata.ops.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a server was started to listen ({@code host:port}, optionally followed by a word such as
 * {@code tls}), kept beside its pid file: the listener of PgBouncer and Redis does not move on a
 * reload, so this file, not the rendered configuration, says where the live server is.
 */
public record ListenerFile(Path file, PidFile pidFile) {

  /** Records the listener of a server that just started. */
  public void write(String listener) {
    ConfigFiles.write(file, listener + "\n", "rw-r--r--");
  }

  /** The listener of the live server; empty when it is not running or the file is unreadable. */
  public Optional<String> read() {
    if (pidFile.process().isEmpty()) {
      return Optional.empty();
    }
    try {
      String text = Files.readString(file).trim();
      return text.matches(".+:\\d+( \\w+)?") ? Optional.of(text) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The port of the live server's listener. */
  public Optional<Integer> port() {
    return read()
        .map(l -> l.split(" ")[0])
        .map(l -> Integer.valueOf(l.substring(l.lastIndexOf(':') + 1)));
  }
}
