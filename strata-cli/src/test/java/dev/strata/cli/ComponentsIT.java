package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.env.PgEndpoint;
import dev.strata.ops.process.Ports;
import dev.strata.ops.stack.ComponentStatus;
import dev.strata.ops.stack.Stack;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stack as components, and the rough edges a new user hit before it: a failed bootstrap left
 * PostgreSQL running, keyword database names broke the bootstrap, a changed port on a running stack
 * left PgBouncer pointing at nothing. Each test starts its own stack in a fresh folder.
 */
final class ComponentsIT {
  private static final String FREE_PORTS = TestProjects.FREE_PORTS;

  private Path project;

  @BeforeEach
  void project() throws IOException {
    project = TestProjects.create("components");
  }

  @AfterEach
  void destroy() {
    TestProjects.destroy(project);
  }

  @Test
  void a_missing_extension_names_the_fix_and_nothing_starts() throws IOException {
    write(
        FREE_PORTS.replace(
            "memory: 256mb", "memory: 256mb\n  extensions: [pg_stat_statements, no_such_ext]"));
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isEqualTo(3);
    assertThat(up.err())
        .contains(
            "the extension no_such_ext in postgres.extensions is not installed for PostgreSQL 15")
        .contains("fix: remove no_such_ext from postgres.extensions");
    assertThat(up.err()).doesNotContain("starting ");
    assertNothingRunning();
    assertThat(project.resolve(".strata/postgres/data/PG_VERSION")).doesNotExist();
  }

  @Test
  void a_failing_bootstrap_stops_every_server_the_attempt_started() throws IOException {
    // earthdistance needs cube, which the list does not name: CREATE EXTENSION fails in the
    // bootstrap, after PostgreSQL and Redis started.
    write(FREE_PORTS.replace("memory: 256mb", "memory: 256mb\n  extensions: [earthdistance]"));
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isEqualTo(1);
    assertThat(up.err())
        .contains("starting postgres-1")
        .contains("required extension \"cube\" is not installed")
        .contains("fix: fix the cause above in strata.yaml");
    assertNothingRunning();

    write(
        FREE_PORTS.replace("memory: 256mb", "memory: 256mb\n  extensions: [cube, earthdistance]"));
    Cli again = Cli.run(project, "up");
    assertThat(again.exitCode()).as("the fixed list comes up on the same data: " + again).isZero();
  }

  @Test
  void databases_named_like_sql_keywords_work_directly_and_through_the_pool()
      throws IOException, SQLException {
    write(FREE_PORTS.replace("memory: 256mb", "memory: 256mb\n  databases: [order, user]"));
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    for (String db : List.of("order", "user")) {
      assertThat(query(stack().env(db).direct(), "SELECT current_database()")).isEqualTo(db);
      assertThat(query(stack().env(db).pooled(), "SELECT current_user")).isEqualTo(db + "_app");
    }
  }

  @Test
  void a_changed_port_on_a_running_stack_waits_for_a_restart_and_nothing_breaks_meanwhile()
      throws IOException, SQLException {
    write(FREE_PORTS);
    assertThat(Cli.run(project, "up").exitCode()).isZero();
    int oldPort = stack().env().direct().port();
    int newPostgres = Ports.free("127.0.0.1");
    int newPooler = Ports.free("127.0.0.1");
    write(
        FREE_PORTS
            .replace("postgres:\n  port: 0", "postgres:\n  port: " + newPostgres)
            .replace("pooler:\n  port: 0", "pooler:\n  port: " + newPooler));

    Cli up = Cli.run(project, "up");

    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.err())
        .contains(
            "postgres-1 takes these changes only when it restarts: port (postgres.port): "
                + oldPort
                + " -> "
                + newPostgres)
        .contains("pooler-1 takes these changes only when it restarts")
        .contains("strata up --restart");
    assertThat(stack().env().direct().port())
        .as("env says where PostgreSQL listens")
        .isEqualTo(oldPort);
    assertThat(query(stack().env().pooled(), "SELECT 1"))
        .as("PgBouncer still reaches PostgreSQL")
        .isEqualTo("1");
    Cli status = Cli.run(project, "status");
    assertThat(status.out()).contains("restart pending").contains("postgres.port");

    Cli restart = Cli.run(project, "up", "--restart");

    assertThat(restart.exitCode()).as(restart.toString()).isZero();
    assertThat(stack().env().direct().port()).isEqualTo(newPostgres);
    assertThat(stack().env().pooled().port()).isEqualTo(newPooler);
    assertThat(query(stack().env().direct(), "SELECT current_setting('port')"))
        .isEqualTo(Integer.toString(newPostgres));
    assertThat(query(stack().env().pooled(), "SELECT 1")).isEqualTo("1");
    assertThat(stack().status()).allSatisfy(s -> assertThat(s.pendingRestart()).isEmpty());
  }

  @Test
  void status_json_lists_every_instance_with_its_role_and_the_port_it_listens_on()
      throws IOException {
    write(FREE_PORTS);
    assertThat(Cli.run(project, "up").exitCode()).isZero();
    Cli status = Cli.run(project, "status", "--json");
    assertThat(status.exitCode()).isZero();
    JsonNode instances = new ObjectMapper().readTree(status.out()).get("instances");
    assertThat(instances).hasSize(3);
    // Each instance's own fields: its live details (a Redis node's "role") are nested deeper.
    List<String> ids = new ArrayList<>();
    List<String> roles = new ArrayList<>();
    instances.forEach(
        i -> {
          ids.add(i.get("id").asText());
          roles.add(i.get("role").asText());
        });
    assertThat(ids).containsExactly("postgres-1", "pooler-1", "redis-1");
    assertThat(roles).containsExactly("primary", "pooler", "master");
    for (JsonNode i : instances) {
      assertThat(i.get("state").asText()).isEqualTo("running");
      assertThat(i.get("port").asInt()).isPositive();
    }
    assertThat(instances.get(0).get("port").asInt()).isEqualTo(stack().env().direct().port());
  }

  private String query(PgEndpoint endpoint, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void write(String yaml) throws IOException {
    TestProjects.write(project, yaml);
  }

  private void assertNothingRunning() {
    List<ComponentStatus> status = stack().status();
    assertThat(status).hasSize(3);
    assertThat(status).allSatisfy(s -> assertThat(s.pid()).as(s.id() + " is running").isEmpty());
    assertThat(ProcessHandle.allProcesses())
        .as("no server process mentions the project folder")
        .noneMatch(
            p -> p.info().commandLine().map(c -> c.contains(project.toString())).orElse(false));
  }

  private Stack stack() {
    return TestProjects.stack(project);
  }
}
