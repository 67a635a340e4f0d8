package dev.strata.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.core.topology.Kind;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.stack.ComponentStatus;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pooler of two PgBouncer processes on one port ({@code pooler.processes: 2}): the kernel spreads
 * clients over both, a cancel request that lands on the other process is forwarded to the one
 * running the query ({@code [peers]}), a process that dies is started again beside the other, and
 * pgbouncer_exporter reports each process.
 */
@StrataTest(yaml = "pooler:\n  processes: 2\nmonitoring:\n  enabled: true\n")
final class PoolerProcessesIT {

  @Test
  void two_processes_share_the_port_each_with_half_the_pool(StrataStack stack) throws Exception {
    Path dir = stack.home().resolve(".strata/pgbouncer");
    for (String ini : List.of("pgbouncer.ini", "pgbouncer-2.ini")) {
      assertThat(Files.readString(dir.resolve(ini)))
          .contains("so_reuseport = 1", "default_pool_size = 10", "[peers]");
    }
    ComponentStatus pooler = pooler(stack);
    assertThat(pooler.details())
        .containsEntry("processes", "2 on one port, default_pool_size 10 each");

    // 40 clients through DATABASE_URL's port: both processes get some.
    List<Connection> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Connection c = stack.connect(stack.env().pooled());
        try (Statement st = c.createStatement()) {
          st.execute("select 1");
        }
        clients.add(c);
      }
      for (int k = 1; k <= 2; k++) {
        assertThat(clientsOf(stack, k)).as("clients of process " + k).isPositive();
      }
      assertThat(clientsOf(stack, 1) + clientsOf(stack, 2)).isEqualTo(40);
    } finally {
      for (Connection c : clients) {
        c.close();
      }
    }
  }

  /**
   * pgjdbc's query timeout sends a cancel request on a new connection, which the kernel gives to
   * either process: half of them reach the process that does not run the query and are forwarded.
   * Without the peers a cancel reaching the wrong process is dropped and the sleep runs to its end.
   */
  @Test
  void every_cancel_request_stops_its_query_whichever_process_it_reaches(StrataStack stack)
      throws Exception {
    for (int round = 0; round < 8; round++) {
      try (Connection c = stack.connect(stack.env().pooled());
          Statement st = c.createStatement()) {
        st.setQueryTimeout(1);
        assertThatThrownBy(() -> st.execute("select pg_sleep(30)"))
            .as("round " + round)
            .isInstanceOfSatisfying(
                SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
      }
    }
  }

  @Test
  void a_killed_process_is_started_again_beside_the_other(StrataStack stack) throws Exception {
    Path dir = stack.home().resolve(".strata/pgbouncer");
    PidFile first = new PidFile(dir.resolve("pgbouncer.pid"), "pgbouncer");
    PidFile second = new PidFile(dir.resolve("pgbouncer-2.pid"), "pgbouncer");
    long firstPid = first.process().orElseThrow().pid();
    ProcessHandle victim = second.process().orElseThrow();
    new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).start().waitFor();
    assertThat(victim.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();

    assertThat(stack.stack().processes().get("pooler-1"))
        .as("a pooler missing a process is not running")
        .isEmpty();
    stack.stack().start("pooler-1");

    assertThat(second.process()).isPresent().get().isNotEqualTo(victim);
    assertThat(first.process().map(ProcessHandle::pid)).contains(firstPid);
    try (Connection c = stack.connect(stack.env().pooled());
        Statement st = c.createStatement()) {
      assertThat(st.execute("select 1")).isTrue();
    }
  }

  @Test
  void the_exporter_reports_each_process_under_its_own_label(StrataStack stack) throws Exception {
    String metrics =
        "http://" + stack.topology().first(Kind.PGBOUNCER_EXPORTER).endpoint() + "/metrics";
    HttpClient http = HttpClient.newHttpClient();
    String body =
        http.send(HttpRequest.newBuilder(URI.create(metrics)).build(), BodyHandlers.ofString())
            .body();
    assertThat(body)
        .contains("pgbouncer_up{process=\"1\"} 1.0", "pgbouncer_up{process=\"2\"} 1.0")
        .containsPattern("pgbouncer_pool_size\\{database=\"app\",process=\"2\"} 10\\.0");
  }

  private static ComponentStatus pooler(StrataStack stack) {
    return stack.stack().status().stream()
        .filter(s -> s.kind() == Kind.POOLER)
        .findFirst()
        .orElseThrow();
  }

  /**
   * The client connections of the app role on process {@code k}, from its admin console over its
   * own Unix socket (the shared TCP port reaches either process).
   */
  private static int clientsOf(StrataStack stack, int k) throws IOException, InterruptedException {
    Path dir = stack.home().resolve(".strata/pgbouncer");
    String ini =
        Files.readString(dir.resolve(k == 1 ? "pgbouncer.ini" : "pgbouncer-" + k + ".ini"));
    String socketDir = setting(ini, "unix_socket_dir").orElseThrow();
    String monitor = stack.stack().spec().security().monitorRole();
    String password =
        Secrets.open(stack.stack().stateDir().secretsFile())
            .require(StackEnvs.postgresSecret(monitor));
    PgEndpoint pooled = stack.env().pooled();
    ProcessBuilder pb =
        new ProcessBuilder(
            "psql",
            "-X",
            "-A",
            "-t",
            "-h",
            socketDir,
            "-p",
            Integer.toString(pooled.port()),
            "-U",
            monitor,
            "-d",
            "pgbouncer",
            "-c",
            "SHOW CLIENTS");
    pb.environment().put("PGPASSWORD", password);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    // SHOW CLIENTS: type|user|database|state|... ; the app role's clients on the app database
    return (int)
        out.lines()
            .map(l -> l.split("\\|"))
            .filter(f -> f.length > 2 && f[1].equals(pooled.user()))
            .count();
  }

  private static Optional<String> setting(String ini, String key) {
    return ini.lines()
        .filter(l -> l.startsWith(key + " = "))
        .map(l -> l.substring(key.length() + 3).trim())
        .findFirst();
  }
}
