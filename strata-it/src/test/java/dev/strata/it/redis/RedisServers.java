package dev.strata.it.redis;

import dev.strata.ops.tls.Certificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * redis-server processes the tests start themselves, in a temporary folder on free ports, for what
 * a Strata stack does not serve yet: TLS with a CA the test made, and a 6-node Redis Cluster (3
 * masters, 3 replicas). Closing stops them all and deletes the folder.
 */
final class RedisServers implements AutoCloseable {
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private Certificates certificates;

  private RedisServers(Path dir) {
    this.dir = dir;
  }

  /** One plain redis-server. */
  static RedisServers plain() {
    RedisServers servers = new RedisServers(tempDir());
    servers.start(List.of());
    return servers;
  }

  /** One redis-server that speaks TLS only, with a certificate signed by a CA made here. */
  static RedisServers tls() {
    RedisServers servers = new RedisServers(tempDir());
    servers.certificates = new Certificates(servers.dir.resolve("tls"));
    servers.certificates.ensureGenerated(Path.of("/usr/bin/openssl"), "127.0.0.1");
    int port = freePort();
    servers.startOn(
        port,
        List.of(
            "--port",
            "0",
            "--tls-port",
            Integer.toString(port),
            "--tls-cert-file",
            servers.certificates.serverCert().toString(),
            "--tls-key-file",
            servers.certificates.serverKey().toString(),
            "--tls-ca-cert-file",
            servers.certificates.caCert().toString(),
            "--tls-auth-clients",
            "no"));
    return servers;
  }

  /**
   * Six cluster-enabled servers joined by {@code redis-cli --cluster create --cluster-replicas 1};
   * returns once every node reports {@code cluster_state:ok}.
   */
  static RedisServers cluster() {
    RedisServers servers = new RedisServers(tempDir());
    for (int i = 0; i < 6; i++) {
      servers.start(
          List.of(
              "--cluster-enabled",
              "yes",
              "--cluster-node-timeout",
              "1000",
              // a replica fails over however long ago it last heard from its master: on a
              // loaded machine the default (10 node timeouts plus the ping period) can rule
              // every replica out, and the cluster stays down instead of failing over
              "--cluster-replica-validity-factor",
              "0",
              "--cluster-config-file",
              "nodes-" + i + ".conf"));
    }
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    servers.ports.forEach(p -> command.add("127.0.0.1:" + p));
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    String out = servers.run(command);
    if (!out.contains("All 16384 slots covered")) {
      servers.close();
      throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
    }
    for (int port : servers.ports) {
      Wait.until(
          () ->
              servers
                  .run(List.of("redis-cli", "-p", Integer.toString(port), "cluster", "info"))
                  .contains("cluster_state:ok"));
    }
    return servers;
  }

  int port() {
    return ports.get(0);
  }

  List<Integer> ports() {
    return List.copyOf(ports);
  }

  Path caCert() {
    return certificates.caCert();
  }

  /** The process serving {@code port}. */
  Process process(int port) {
    return processes.get(ports.indexOf(port));
  }

  private void start(List<String> extra) {
    int port = freePort();
    List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
    args.addAll(extra);
    startOn(port, args);
  }

  private void startOn(int port, List<String> args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no"));
    command.addAll(args);
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
              .start();
      processes.add(p);
      ports.add(port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path log = dir.resolve("redis-" + port + ".log");
    Wait.until(() -> read(log).contains("Ready to accept connections"), Duration.ofSeconds(20));
  }

  /** Runs redis-cli against one of the servers; its output. */
  String cli(int port, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    return run(command);
  }

  private String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("strata-redis-it");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temp folder is harmless
    }
  }
}
