package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.strata.core.topology.Kind;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.Stack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/** What the blueprint tests share: the launcher run in an example's folder, JDBC, receivers. */
final class BlueprintSupport {
  static final ObjectMapper JSON = new ObjectMapper();

  private BlueprintSupport() {}

  /** The checkout's launcher in {@code dir}, with the page's variables; output and exit code. */
  static Exec.Result strata(Path dir, Map<String, String> env, String... args) {
    List<String> command =
        new ArrayList<>(List.of(DocSession.CHECKOUT.resolve("strata").toString()));
    command.addAll(List.of(args));
    Exec exec = Exec.of(command).workDir(dir).timeout(Duration.ofMinutes(5));
    env.forEach(exec::env);
    return exec.run();
  }

  /** {@code strata env --format json} of the stack in {@code dir}. */
  static JsonNode env(Path dir, Map<String, String> env) throws IOException {
    Exec.Result r = strata(dir, env, "env", "--format", "json");
    if (!r.ok()) {
      throw new IllegalStateException(r.describeFailure());
    }
    return JSON.readTree(r.output());
  }

  private static final java.util.regex.Pattern LIBPQ =
      java.util.regex.Pattern.compile(
          "postgres(?:ql)?://([^:@]*):([^@]*)@([^/]+)(/[^?]*)(?:\\?(.*))?");

  /**
   * A JDBC connection from a libpq URL of {@code strata env} ({@code
   * postgresql://user:pw@h1:p1,h2:p2/db?sslmode=...}), as pgjdbc names its parameters.
   */
  static Connection connect(String url) throws SQLException {
    java.util.regex.Matcher m = LIBPQ.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a libpq URL: " + url.replaceAll(":[^:@/]*@", ":***@"));
    }
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", decode(m.group(1)));
    p.setProperty("password", decode(m.group(2)));
    if (m.group(5) != null) {
      for (String kv : m.group(5).split("&")) {
        String[] pair = kv.split("=", 2);
        String value = decode(pair[1]);
        if (pair[0].equals("target_session_attrs")) {
          p.setProperty("targetServerType", value.equals("read-write") ? "primary" : "any");
        } else {
          p.setProperty(pair[0], value);
        }
      }
    }
    return DriverManager.getConnection("jdbc:postgresql://" + m.group(3) + m.group(4), p);
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /**
   * How many PgBouncer processes the stack's pooler runs ({@code pooler.processes}, one per core by
   * default), from its status details: a pooler of one has none.
   */
  static int poolerProcesses(Stack stack) {
    return stack.status().stream()
        .filter(s -> s.kind() == Kind.POOLER)
        .findFirst()
        .map(s -> s.details().get("processes"))
        .map(d -> Integer.parseInt(d.split(" ")[0]))
        .orElse(1);
  }

  /**
   * Asserts that {@code perProcess} (one process's {@code default_pool_size}) over {@code
   * processes} gives the pooler {@code total} server connections per database and role, rounded up
   * per process.
   */
  static void assertPoolTotals(String perProcess, int processes, int total) {
    int each = Integer.parseInt(perProcess);
    assertThat(each)
        .as("default_pool_size of one of %d processes", processes)
        .isEqualTo((total + processes - 1) / processes);
  }

  static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static List<String> column(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** What an HTTP receiver got: the path and the body of each POST. */
  record Post(String path, String body) {}

  /**
   * A local HTTP server standing in for Slack, Discord and PagerDuty: it records every POST to
   * /slack, /discord and /pagerduty and answers as they do (PagerDuty 202, the webhooks 204).
   */
  static HttpServer receiver(ConcurrentLinkedQueue<Post> posts) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String path : List.of("/slack", "/discord", "/pagerduty")) {
      server.createContext(
          path,
          exchange -> {
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posts.add(new Post(path, body));
            exchange.sendResponseHeaders(path.equals("/pagerduty") ? 202 : 204, -1);
            exchange.close();
          });
    }
    server.start();
    return server;
  }

  /**
   * A CA and a certificate for localhost signed by it (server.crt, server.key, ca.crt), readable by
   * the servers' user: what an S3-compatible server with a private CA presents.
   */
  static void localhostCertificate(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:localhost\n");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=blueprint test CA");
    run(
        dir,
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost");
    run(
        dir,
        "openssl",
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf");
    Files.setPosixFilePermissions(
        dir.resolve("ca.crt"), PosixFilePermissions.fromString("rw-r--r--"));
  }

  private static void run(Path dir, String... command) {
    Exec.Result r = Exec.of(command).workDir(dir).run();
    if (!r.ok()) {
      throw new IllegalStateException(r.describeFailure());
    }
  }
}
