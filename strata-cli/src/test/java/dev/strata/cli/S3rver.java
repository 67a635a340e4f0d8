package dev.strata.cli;

import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Ports;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real S3-compatible server for tests: s3rver from npm, installed under {@code target/s3rver} by
 * the test itself (npm, no global install), serving HTTPS on localhost with a certificate of the
 * stack's own CA.
 */
final class S3rver implements AutoCloseable {
  private static final String VERSION = "3.7.1";
  private final Process process;
  private final int port;

  private S3rver(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  int port() {
    return port;
  }

  /** Starts s3rver on a free port with {@code bucket} created, TLS from {@code tlsDir}. */
  static S3rver start(Path dataDir, Path tlsDir, String bucket) throws IOException {
    Path prefix = Path.of("target", "s3rver").toAbsolutePath();
    Path script = prefix.resolve("node_modules/s3rver/bin/s3rver.js");
    if (!Files.exists(script)) {
      Files.createDirectories(prefix);
      Exec.Result npm =
          Exec.of(
                  "npm",
                  "install",
                  "--prefix",
                  prefix.toString(),
                  "s3rver@" + VERSION,
                  "--no-audit",
                  "--no-fund",
                  "--loglevel=error")
              .timeout(Duration.ofMinutes(10))
              .run();
      if (!npm.ok()) {
        throw new IllegalStateException("npm install s3rver failed: " + npm.output());
      }
    }
    Files.createDirectories(dataDir);
    int port = Ports.free("127.0.0.1");
    // s3rver's own launcher, but with Node's keep-alive timeout raised from its 5 s default:
    // pgBackRest keeps its connections to S3 open between requests, and a connection the server
    // closed while it was idle fails pgBackRest's next write ("unable to flush").
    String launcher =
        String.join(
            "\n",
            "const fs = require('fs');",
            "const S3rver = require(process.argv[1]);",
            "const [dir, port, key, cert, bucket] = process.argv.slice(2);",
            "const s3 = new S3rver({directory: dir, address: 'localhost', port: Number(port),",
            "  key: fs.readFileSync(key), cert: fs.readFileSync(cert), silent: true,",
            "  configureBuckets: [{name: bucket, configs: []}]});",
            "s3.run().then(() => {",
            "  s3.httpServer.keepAliveTimeout = 600000;",
            "  s3.httpServer.headersTimeout = 601000;",
            "}, e => { console.error(e); process.exit(1); });");
    Process p =
        new ProcessBuilder(
                "node",
                "-e",
                launcher,
                prefix.resolve("node_modules/s3rver").toString(),
                dataDir.toString(),
                Integer.toString(port),
                tlsDir.resolve("server.key").toString(),
                tlsDir.resolve("server.crt").toString(),
                bucket)
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolveSibling("s3rver.log").toFile())
            .start();
    S3rver s3 = new S3rver(p, port);
    if (!Wait.until(() -> !p.isAlive() || accepts(port), Duration.ofSeconds(60)) || !p.isAlive()) {
      s3.close();
      throw new IllegalStateException(
          "s3rver did not start: " + Files.readString(dataDir.resolveSibling("s3rver.log")));
    }
    return s3;
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    if (!Wait.until(() -> !process.isAlive(), Duration.ofSeconds(10))) {
      process.destroyForcibly();
    }
  }
}
