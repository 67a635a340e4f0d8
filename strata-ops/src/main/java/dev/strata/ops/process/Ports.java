package dev.strata.ops.process;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Free ports, taken ports, and who holds them. */
public final class Ports {
  private Ports() {}

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;

  /**
   * A port that is free on {@code bind} now, below the kernel's ephemeral range when there is room.
   * The kernel hands ports of that range (32768-60999 by default) to outgoing connections as their
   * local port: a port picked there (what binding port 0 gives) can be taken by any client's
   * connection between the moment it is picked and the moment the server binds it, and the server
   * then fails with "address already in use". Below the range only another listener can take it.
   */
  public static int free(String bind) {
    int below = ephemeralStart();
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; below - LOWEST > 1000 && attempt < 64; attempt++) {
      int port = random.nextInt(LOWEST, below);
      if (bindable(bind, port)) {
        return port;
      }
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName(bind), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot find a free port on " + bind + ": " + e.getMessage(), "check security.bind");
    }
  }

  /** The first port of the kernel's ephemeral range; 32768 (Linux's default) when unreadable. */
  static int ephemeralStart() {
    try {
      // Not Files.readString: procfs reports a size of 0, and JDK 17 then reads one byte only.
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  private static boolean bindable(String bind, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether something accepts connections on {@code host:port}. */
  public static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Checks that {@code port} can be bound on {@code bind}.
   *
   * @param what the server that wants it, for the message
   * @throws StrataException naming the port, the key that sets it and, where it can be found, the
   *     process that holds it
   */
  public static void requireFree(String bind, int port, String what, String key) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
    } catch (IOException e) {
      String holder = holder(port).map(h -> " by " + h).orElse("");
      throw StrataException.environment(
          what + " cannot listen on " + bind + ":" + port + ": the port is taken" + holder,
          "stop that process, or set " + key + " to another port (0 picks a free one)");
    }
  }

  /**
   * The process listening on {@code port}, as {@code "pid 123 (redis-server)"}, if it can be seen.
   */
  public static Optional<String> holder(int port) {
    Optional<String> inode = listeningInode(port);
    if (inode.isEmpty()) {
      return Optional.empty();
    }
    String target = "socket:[" + inode.get() + "]";
    try (DirectoryStream<Path> procs =
        Files.newDirectoryStream(
            Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path proc : procs) {
        if (holdsSocket(proc, target)) {
          String name = Files.readString(proc.resolve("comm")).trim();
          return Optional.of("pid " + proc.getFileName() + " (" + name + ")");
        }
      }
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean holdsSocket(Path proc, String target) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals(target)) {
            return true;
          }
        } catch (IOException e) {
          // The descriptor closed while we looked.
        }
      }
    } catch (IOException | SecurityException e) {
      return false;
    }
    return false;
  }

  private static Optional<String> listeningInode(int port) {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          boolean listen = f.length > 9 && f[3].equals("0A");
          if (listen && f[1].endsWith(hexPort)) {
            return Optional.of(f[9]);
          }
        }
      } catch (IOException e) {
        // No such table (no IPv6, say): look in the next one.
      }
    }
    return Optional.empty();
  }
}
