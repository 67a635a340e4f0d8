package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.SpecLoader;
import dev.strata.ops.stack.Stack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way {@code strata up} can fail: one clear message naming cause and fix, a non-zero exit,
 * nothing left running, existing data untouched.
 */
final class UpFailureIT {
  private static final String FREE_PORTS = TestProjects.FREE_PORTS;

  private Path project;

  @BeforeEach
  void project() throws IOException {
    project = TestProjects.create("fail");
  }

  @AfterEach
  void destroy() {
    TestProjects.destroy(project);
  }

  @Test
  void invalid_yaml_exits_2_with_file_line_column_and_creates_nothing() throws IOException {
    write("postgres:\n  port: 70000\n  databses: [app]\nredis:\n  policy: random\n");
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).isEqualTo(2);
    assertThat(up.err())
        .contains("strata.yaml:2:9: postgres.port")
        .contains("strata.yaml:3:3: postgres.databses")
        .contains("did you mean 'databases'")
        .contains("strata.yaml:5:11: redis.policy");
    assertThat(project.resolve(".strata")).doesNotExist();
  }

  @Test
  void a_taken_port_is_named_with_the_process_holding_it_and_nothing_starts() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      write(FREE_PORTS.replace("pooler:\n  port: 0", "pooler:\n  port: " + taken.getLocalPort()));
      Cli up = Cli.run(project, "up");
      assertThat(up.exitCode()).as(up.toString()).isEqualTo(3);
      assertThat(up.err())
          .contains(
              "PgBouncer cannot listen on 127.0.0.1:"
                  + taken.getLocalPort()
                  + ": the port is taken")
          .contains("pid " + ProcessHandle.current().pid())
          .contains("fix: stop that process, or set pooler.port to another port");
      assertNothingRunning();
    }
  }

  @Test
  void a_missing_postgres_binary_names_the_debian_package_and_creates_nothing() throws IOException {
    write(
        FREE_PORTS.replace(
            "memory: 256mb", "memory: 256mb\n  bin_dir: /usr/lib/postgresql/99/bin"));
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isEqualTo(3);
    assertThat(up.err())
        .contains("/usr/lib/postgresql/99/bin/postgres is missing")
        .contains("postgresql-15");
    assertThat(project.resolve(".strata")).doesNotExist();
  }

  @Test
  void a_file_where_the_state_directory_goes_is_named_and_left_alone() throws IOException {
    write(FREE_PORTS);
    Files.writeString(project.resolve(".strata"), "my notes");
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isEqualTo(3);
    assertThat(up.err()).contains("a file of that name is in the way");
    assertThat(Files.readString(project.resolve(".strata"))).isEqualTo("my notes");
    Files.delete(project.resolve(".strata"));
  }

  @Test
  void a_server_that_will_not_start_shows_its_log_stops_the_others_and_keeps_the_data()
      throws Exception {
    write(FREE_PORTS);
    assertThat(Cli.run(project, "up").exitCode()).isZero();
    Cli create =
        Cli.run(project, "psql", "--", "-c", "CREATE TABLE precious AS SELECT 42 AS answer");
    assertThat(create.exitCode()).as(create.toString()).isZero();
    assertThat(Cli.run(project, "down").exitCode()).isZero();

    write(
        FREE_PORTS.replace(
            "memory: 256mb", "memory: 256mb\n  settings:\n    shared_buffers: lots"));
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isEqualTo(1);
    assertThat(up.err())
        .contains("PostgreSQL did not start")
        .contains("invalid value for parameter \"shared_buffers\": \"lots\"")
        .contains("postgres.settings");
    assertNothingRunning();

    write(FREE_PORTS);
    assertThat(Cli.run(project, "up").exitCode()).isZero();
    Cli read = Cli.run(project, "psql", "--", "-A", "-t", "-c", "SELECT answer FROM precious");
    assertThat(read.out().trim()).isEqualTo("42");
  }

  @Test
  void destroy_without_yes_refuses_and_keeps_everything() throws IOException {
    write(FREE_PORTS);
    Files.createDirectories(project.resolve(".strata"));
    Cli destroy = Cli.run(project, "destroy");
    assertThat(destroy.exitCode()).isEqualTo(2);
    assertThat(destroy.err()).contains("strata destroy --yes");
    assertThat(project.resolve(".strata")).isDirectory();
  }

  @Test
  void init_writes_a_commented_file_that_loads_and_never_overwrites() throws IOException {
    Cli init = Cli.run(project, "init");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    String text = Files.readString(project.resolve("strata.yaml"));
    assertThat(text)
        .contains("# ")
        .contains("postgres:")
        .contains("pooler:")
        .contains("redis:")
        .contains("security:");
    assertThat(SpecLoader.parse(text, "strata.yaml", name -> null).pooler().mode())
        .isEqualTo("transaction");
    Cli again = Cli.run(project, "init");
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("already exists").contains("--force");
  }

  @Test
  void an_unwritable_project_directory_is_named_with_the_fix() throws Exception {
    write(FREE_PORTS);
    // As an unprivileged user (root may write anywhere), in a folder only root may write to.
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                "runuser",
                "-u",
                "postgres",
                "--",
                javaBin,
                "-jar",
                System.getProperty("strata.cli.jar"),
                "up")
            .directory(project.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isEqualTo(3);
    assertThat(output)
        .contains("cannot create the state directory " + project.resolve(".strata"))
        .contains("fix:");
    assertThat(project.resolve(".strata")).doesNotExist();
  }

  @Test
  void two_ups_at_once_start_one_stack() throws Exception {
    write(FREE_PORTS);
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> Cli.run(project, "up"));
    Cli second = Cli.run(project, "up");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(first.get().exitCode()).as(first.get().toString()).isZero();
    assertThat(first.get().err() + second.err())
        .as("each server was started once")
        .containsOnlyOnce("starting postgres-1")
        .containsOnlyOnce("starting redis-1");
    assertThat(Cli.run(project, "status").exitCode()).isZero();
  }

  @Test
  void commands_on_a_stack_never_brought_up_say_to_run_up_first() throws IOException {
    write(FREE_PORTS);
    Cli env = Cli.run(project, "env");
    assertThat(env.exitCode()).isEqualTo(3);
    assertThat(env.err())
        .contains("has not been brought up")
        .contains("fix: run `strata up` first");
    Cli status = Cli.run(project, "status");
    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.out()).contains("not created");
    Cli down = Cli.run(project, "down");
    assertThat(down.exitCode()).as("down of nothing is a no-op").isZero();
    Cli missing = Cli.run(project, "-f", "nope.yaml", "up");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file: " + project.resolve("nope.yaml"));
    assertThat(project.resolve(".strata")).doesNotExist();
  }

  private void write(String yaml) throws IOException {
    TestProjects.write(project, yaml);
  }

  private void assertNothingRunning() {
    assertThat(stack().status())
        .allSatisfy(s -> assertThat(s.pid()).as(s.id() + " is running").isEmpty());
  }

  private Stack stack() {
    return TestProjects.stack(project);
  }
}
