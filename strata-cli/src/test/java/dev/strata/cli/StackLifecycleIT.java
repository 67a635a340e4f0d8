package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.topology.Kind;
import dev.strata.ops.stack.ComponentStatus;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The CLI on one stack: up is idempotent, down keeps data, env and the shells work as printed. */
@StrataTest(yaml = "postgres:\n  databases: [shop, billing]")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class StackLifecycleIT {

  @Test
  @Order(1)
  void up_on_a_running_stack_changes_nothing(StrataStack stack) throws Exception {
    Map<Kind, Optional<Long>> pids = pids(stack);
    Path conf = stack.home().resolve(".strata/postgres/data/postgresql.conf");
    FileTime confWritten = Files.getLastModifiedTime(conf);
    Cli up = Cli.run(stack.home(), "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.err()).as("no server was started").doesNotContain("starting");
    assertThat(up.out())
        .containsPattern(
            "postgres-1 +PostgreSQL +primary +127\\.0\\.0\\.1:\\d+ +running +15\\.\\d+")
        .containsPattern("pooler-1 +PgBouncer +pooler +127\\.0\\.0\\.1:\\d+ +running +1\\.\\d+")
        .containsPattern("redis-1 +Redis +master +127\\.0\\.0\\.1:\\d+ +running +7\\.\\d+");
    assertThat(pids(stack)).isEqualTo(pids);
    assertThat(Files.getLastModifiedTime(conf)).isEqualTo(confWritten);
  }

  @Test
  @Order(2)
  void env_prints_sourceable_lines_for_each_database(StrataStack stack) throws Exception {
    Cli env = Cli.run(stack.home(), "env", "--database", "billing");
    assertThat(env.exitCode()).as(env.toString()).isZero();
    Map<String, String> vars = new HashMap<>();
    for (String line : env.out().lines().toList()) {
      assertThat(line).matches("[A-Z_]+='[^']*'");
      vars.put(
          line.substring(0, line.indexOf('=')),
          line.substring(line.indexOf('=') + 2, line.length() - 1));
    }
    assertThat(vars)
        .containsOnlyKeys(
            "DATABASE_URL",
            "DIRECT_URL",
            "READONLY_DATABASE_URL",
            "REDIS_URL",
            "JDBC_DATABASE_URL",
            "JDBC_DATABASE_USERNAME",
            "JDBC_DATABASE_PASSWORD",
            "PGSSLROOTCERT",
            "REDIS_CA");
    assertThat(vars.get("DATABASE_URL"))
        .startsWith("postgresql://billing_app:")
        .contains("/billing?sslmode=verify-full&sslrootcert=");
    assertThat(vars.get("DIRECT_URL")).startsWith("postgresql://billing_owner:");
    // PgBouncer >= 1.21 with max_prepared_statements keeps pgjdbc's prepared statements.
    assertThat(vars.get("JDBC_DATABASE_URL")).doesNotContain("prepareThreshold");
    // Sourced by a shell, exactly as a user would, then used by psql as it is.
    Path envFile = stack.home().resolve("billing.env");
    Files.writeString(envFile, env.out());
    Process psql =
        new ProcessBuilder(
                "bash",
                "-c",
                "set -a; . '"
                    + envFile
                    + "'; psql -X -A -t -c 'SELECT current_user' \"$DATABASE_URL\"")
            .redirectErrorStream(true)
            .start();
    assertThat(new String(psql.getInputStream().readAllBytes()).trim()).isEqualTo("billing_app");
    assertThat(psql.waitFor()).isZero();

    Cli unknown = Cli.run(stack.home(), "env", "--database", "nope");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("no database 'nope'").contains("[shop, billing]");
  }

  @Test
  @Order(3)
  void psql_and_redis_cli_shells_connect_with_the_stacks_credentials(StrataStack stack) {
    Cli psql =
        Cli.run(stack.home(), "psql", "--as", "app", "--", "-A", "-t", "-c", "SELECT current_user");
    assertThat(psql.exitCode()).as(psql.toString()).isZero();
    assertThat(psql.out().trim()).isEqualTo("shop_app");
    Cli superuser =
        Cli.run(
            stack.home(),
            "psql",
            "--as",
            "superuser",
            "--",
            "-A",
            "-t",
            "-c",
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
    assertThat(superuser.out().trim()).isEqualTo("t");
    Cli redis = Cli.run(stack.home(), "redis-cli", "--", "ACL", "WHOAMI");
    assertThat(redis.out().trim()).isEqualTo("app");
  }

  @Test
  @Order(4)
  void down_stops_every_server_and_up_brings_the_data_back(StrataStack stack) throws Exception {
    try (Connection owner = stack.connect(stack.env().direct())) {
      owner
          .createStatement()
          .execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    }
    Cli down = Cli.run(stack.home(), "down");
    assertThat(down.exitCode()).as(down.toString()).isZero();
    Cli status = Cli.run(stack.home(), "status", "--json");
    assertThat(status.exitCode()).as("status exits 1 when a server is down").isEqualTo(1);
    assertThat(status.out()).contains("\"state\" : \"stopped\"").doesNotContain("\"running\"");
    assertThat(stack.stack().status()).allSatisfy(s -> assertThat(s.pid()).isEmpty());

    Cli up = Cli.run(stack.home(), "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    try (Connection app = stack.connect(stack.env().pooled());
        ResultSet rs = app.createStatement().executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("still here");
    }
    assertThat(Cli.run(stack.home(), "status").exitCode()).isZero();
  }

  @Test
  @Order(5)
  void logs_shows_the_end_of_a_servers_log(StrataStack stack) {
    Cli logs = Cli.run(stack.home(), "logs", "postgres", "-n", "5");
    assertThat(logs.exitCode()).isZero();
    assertThat(logs.out().lines().count()).isBetween(1L, 5L);
    Cli bad = Cli.run(stack.home(), "logs", "mysql");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .contains("no instance or kind named 'mysql'")
        .contains("postgres-1, pooler-1, redis-1");
    Cli byId = Cli.run(stack.home(), "logs", "redis-1", "-n", "3");
    assertThat(byId.exitCode()).as(byId.toString()).isZero();
    assertThat(byId.out()).isNotBlank();
  }

  @Test
  @Order(6)
  void up_applies_a_changed_strata_yaml_to_the_running_servers_without_restarting_them(
      StrataStack stack) throws Exception {
    Map<Kind, Optional<Long>> pids = pids(stack);
    Files.writeString(
        stack.home().resolve("strata.yaml"),
        "postgres:\n  port: 0\n  memory: 256mb\n  databases: [shop, billing, extra]\n"
            + "  settings:\n    log_min_duration_statement: 250ms\n"
            + "pooler:\n  port: 0\nredis:\n  port: 0\n  maxmemory: 64mb\n  policy: allkeys-lfu\n");
    Cli up = Cli.run(stack.home(), "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(pids(stack)).as("nothing was restarted").isEqualTo(pids);

    Cli extra =
        Cli.run(
            stack.home(),
            "psql",
            "-d",
            "extra",
            "--as",
            "app",
            "--",
            "-A",
            "-t",
            "-c",
            "SELECT current_user || '@' || current_database() || ' ' || current_setting('log_min_duration_statement')");
    assertThat(extra.out().trim()).as(extra.toString()).isEqualTo("extra_app@extra 250ms");
    Cli memory = Cli.run(stack.home(), "redis-cli", "--as", "monitor", "--", "INFO", "memory");
    assertThat(memory.out())
        .contains("maxmemory:" + 64 * 1024 * 1024)
        .contains("maxmemory_policy:allkeys-lfu");
  }

  private static Map<Kind, Optional<Long>> pids(StrataStack stack) {
    List<ComponentStatus> status = stack.stack().status();
    Map<Kind, Optional<Long>> pids = new HashMap<>();
    status.forEach(s -> pids.put(s.kind(), s.pid()));
    assertThat(pids.values()).allSatisfy(p -> assertThat(p).isPresent());
    return pids;
  }
}
