package dev.strata.ops.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.process.Wait;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The callback script as Patroni runs it (python3, ACTION ROLE CLUSTER), on real files. No Patroni
 * answers on the REST port here, so a new leader finds no running replica, as right after a
 * switchover while the old leader restarts.
 */
class LeaderCallbackTest {
  private static final Map<String, Integer> PORTS = Map.of("postgres-1", 5001, "postgres-2", 5002);

  @TempDir Path dir;

  private Path ini() {
    return dir.resolve("databases.ini");
  }

  private int run(String node, String role) throws Exception {
    Path script = dir.resolve(node + ".py");
    Files.writeString(
        script,
        LeaderCallback.render(
            node,
            1, // nothing listens on port 1
            PORTS,
            List.of("app"),
            dir.resolve("run"),
            ini(),
            dir.resolve("pgbouncer.pid"),
            dir.resolve("patroni/leader")),
        StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder("python3", script.toString(), "on_role_change", role, "strata")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("the script prints nothing").isEmpty();
    return p.exitValue();
  }

  @Test
  void a_new_leader_with_no_running_replica_points_writes_and_reads_at_itself() throws Exception {
    assertThat(run("postgres-2", "master")).isZero();
    assertThat(Files.readString(ini()))
        .contains("app = host=" + dir.resolve("run") + " port=5002 dbname=app\n")
        .contains("app_read = host=" + dir.resolve("run") + " port=5002 dbname=app\n");
    assertThat(Files.readString(dir.resolve("patroni/leader"))).isEqualTo("postgres-2\n");
  }

  @Test
  void the_demoted_node_takes_the_reads_back_and_leaves_the_leader_line_alone() throws Exception {
    run("postgres-2", "master");
    assertThat(run("postgres-1", "replica")).isZero();
    String ini = Files.readString(ini());
    assertThat(ini)
        .contains("app = host=" + dir.resolve("run") + " port=5002 dbname=app\n")
        .contains("app_read = host=" + dir.resolve("run") + " port=5001 dbname=app\n")
        .doesNotContain("app_read = host=" + dir.resolve("run") + " port=5002");
    assertThat(Files.readString(dir.resolve("patroni/leader"))).isEqualTo("postgres-2\n");
  }

  @Test
  void a_replica_before_any_leader_wrote_the_file_writes_nothing() throws Exception {
    assertThat(run("postgres-1", "replica")).isZero();
    assertThat(ini()).doesNotExist();
  }

  @Test
  void a_new_leader_signals_every_process_of_a_pooler_of_several() throws Exception {
    List<Process> poolers = new ArrayList<>();
    try {
      for (String name : List.of("pgbouncer", "pgbouncer-2")) {
        // A stand-in that records SIGHUP: what PgBouncer does on one is reload the file.
        Process p =
            new ProcessBuilder(
                    "sh",
                    "-c",
                    "trap 'echo hup > "
                        + dir.resolve(name + ".hup")
                        + "' HUP;"
                        // the pid file once the trap is in place, as PgBouncer writes its own
                        + " echo $$ > "
                        + dir.resolve(name + ".pid")
                        + ";"
                        + " while :; do sleep 0.05; done")
                .start();
        poolers.add(p);
        Path pid = dir.resolve(name + ".pid");
        assertThat(Wait.until(() -> pid.toFile().length() > 0, Duration.ofSeconds(10))).isTrue();
      }
      assertThat(run("postgres-2", "master")).isZero();
      for (String name : List.of("pgbouncer", "pgbouncer-2")) {
        Path hup = dir.resolve(name + ".hup");
        assertThat(Wait.until(() -> Files.exists(hup), Duration.ofSeconds(10)))
            .as(name + " got SIGHUP")
            .isTrue();
      }
    } finally {
      poolers.forEach(Process::destroyForcibly);
    }
  }
}
