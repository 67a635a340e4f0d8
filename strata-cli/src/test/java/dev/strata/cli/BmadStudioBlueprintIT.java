package dev.strata.cli;

import static dev.strata.cli.BlueprintSupport.JSON;
import static dev.strata.cli.BlueprintSupport.connect;
import static dev.strata.cli.BlueprintSupport.query;
import static dev.strata.cli.BlueprintSupport.strata;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Wait;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * examples/bmad-studio (seed 003) run end to end as its README says; then each point the blueprint
 * must show, on the stack the page left running: Redis Sentinel with TLS and its ACL users, the
 * analytics replica behind READ_DATABASE_URL, the weekly full / daily differential backups with
 * their retention and the Redis backups' 7 days, maintenance in its window, the exporters scraped
 * and a dashboard.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class BmadStudioBlueprintIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static DocSession session;
  private static Path example;

  @BeforeAll
  static void runThePage() throws Exception {
    session =
        DocSession.run(DocPage.read(DocSession.CHECKOUT.resolve("examples/bmad-studio/README.md")));
    example = session.root().resolve("examples/bmad-studio");
  }

  @AfterAll
  static void close() throws Exception {
    if (session != null) {
      session.close();
    }
  }

  private static Exec.Result strata(String... args) {
    return BlueprintSupport.strata(example, Map.of(), args);
  }

  private static List<JsonNode> instances(String kind) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode i : JSON.readTree(strata("status", "--json").output()).path("instances")) {
      if (i.path("kind").asText().equals(kind)) {
        out.add(i);
      }
    }
    return out;
  }

  @Test
  @Order(1)
  void the_readme_runs_as_written() {
    assertThat(session.problems()).isEmpty();
  }

  @Test
  @Order(2)
  void redis_runs_a_master_two_replicas_and_three_sentinels_over_tls_with_acl_users()
      throws Exception {
    List<String> roles =
        instances("redis").stream().map(i -> i.path("role").asText()).sorted().toList();
    assertThat(roles).containsExactly("master", "replica", "replica");
    assertThat(instances("sentinel")).hasSize(3);
    JsonNode env = BlueprintSupport.env(example, Map.of());
    assertThat(env.path("REDIS_URL").asText()).startsWith("rediss-sentinel://app:");
    assertThat(strata("redis-cli", "--", "GET", "session:1").output()).contains("alice");
    // The app user may not run what the seed renamed away; the monitor user reads no key.
    assertThat(strata("redis-cli", "--", "FLUSHALL").output()).contains("NOPERM");
    assertThat(strata("redis-cli", "--", "CONFIG", "GET", "maxmemory").output()).contains("NOPERM");
    assertThat(strata("redis-cli", "--as", "monitor", "--", "GET", "session:1").output())
        .contains("NOPERM");
    assertThat(strata("redis-cli", "--as", "monitor", "--", "INFO", "memory").output())
        .contains("used_memory:");
    // Plain TCP to the master is refused: every node speaks TLS only.
    JsonNode master =
        instances("redis").stream()
            .filter(i -> i.path("role").asText().equals("master"))
            .findFirst()
            .orElseThrow();
    Exec.Result plain =
        Exec.of("redis-cli", "-h", "127.0.0.1", "-p", master.path("port").asText(), "PING").run();
    assertThat(plain.output()).as(plain.output()).doesNotContain("PONG");
    Exec.Result anonymous =
        Exec.of(
                "redis-cli",
                "--tls",
                "--cacert",
                example.resolve(".strata/tls/ca.crt").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                master.path("port").asText(),
                "GET",
                "session:1")
            .run();
    assertThat(anonymous.output()).as("the default user is off").doesNotContain("alice");
  }

  @Test
  @Order(3)
  void read_database_url_is_the_analytics_replica_and_sees_the_primarys_rows() throws Exception {
    assertThat(Files.readString(example.resolve("strata.yaml"))).containsPattern("nodes: *2");
    JsonNode env = BlueprintSupport.env(example, Map.of());
    try (Connection read = connect(env.path("READ_DATABASE_URL").asText());
        Connection primary = connect(env.path("DATABASE_URL").asText())) {
      assertThat(query(read, "select pg_is_in_recovery()")).isEqualTo("t");
      assertThat(query(primary, "select pg_is_in_recovery()")).isEqualTo("f");
      assertThat(
              Wait.until(
                  () -> {
                    try {
                      return "20".equals(query(read, "select count(*) from users"));
                    } catch (Exception e) {
                      return false;
                    }
                  },
                  Duration.ofSeconds(30)))
          .isTrue();
      assertThat(query(read, "select count(*) from project_activity")).isEqualTo("0");
      try (var s = read.createStatement()) {
        s.execute("insert into audit_log (action, subject) values ('x', 'y')");
        throw new AssertionError("the replica took a write");
      } catch (java.sql.SQLException e) {
        assertThat(e.getMessage()).contains("read-only");
      }
    }
  }

  @Test
  @Order(4)
  void weekly_full_daily_differential_and_redis_backups_with_their_retention() throws Exception {
    JsonNode list = JSON.readTree(strata("backup", "list", "--json").output());
    Set<String> types = new TreeSet<>();
    for (JsonNode b : list.path("backups")) {
      types.add(b.path("type").asText());
    }
    assertThat(types).as(list.toString()).contains("full", "diff");
    assertThat(list.path("redis")).as(list.toString()).hasSize(1);
    String conf = Files.readString(example.resolve(".strata/pgbackrest.conf"));
    assertThat(conf).contains("repo1-retention-diff=6").contains("repo1-cipher-type=aes-256-cbc");
    Exec.Result agent = strata("agent", "status");
    assertThat(agent.output())
        .as(agent.output())
        .contains("0 2 * * sun")
        .contains("0 3 * * mon-sat")
        .contains("0 4 * * *");
    // A Redis backup from January is past backup.retention_redis (7 days): the next one removes it.
    Path redisDir = example.resolve(".strata/backups/redis");
    Path old = redisDir.resolve("redis-20260101-000000000.rdb.gz.enc");
    Path newest;
    try (var files = Files.list(redisDir)) {
      newest = files.filter(f -> f.toString().endsWith(".rdb.gz.enc")).findFirst().orElseThrow();
    }
    Files.copy(newest, old);
    assertThat(JSON.readTree(strata("backup", "list", "--json").output()).path("redis")).hasSize(2);
    Exec.Result again = strata("backup", "redis");
    assertThat(again.ok()).as(again.output()).isTrue();
    assertThat(again.output())
        .contains("removed the Redis backups past backup.retention_redis (7 days)")
        .contains("redis-20260101-000000000");
    assertThat(old).doesNotExist();
    assertThat(newest).exists();
  }

  @Test
  @Order(5)
  void maintenance_runs_in_its_window_and_the_dry_run_names_what_it_would_do() throws Exception {
    Exec.Result agent = strata("agent", "status");
    assertThat(agent.output()).contains("sun 01:00-05:00").contains("0 4 * * sun");
    Exec.Result plan = strata("maintain", "--dry-run", "--json");
    assertThat(plan.ok()).as(plan.output()).isTrue();
    JSON.readTree(plan.output());
  }

  @Test
  @Order(6)
  void the_exporters_are_scraped_and_the_dashboards_answer() throws Exception {
    JsonNode env = BlueprintSupport.env(example, Map.of());
    String prometheus = env.path("PROMETHEUS_URL").asText();
    Set<String> wanted = Set.of("postgres", "redis", "pgbouncer", "node");
    boolean up =
        Wait.until(
            () -> {
              try {
                Set<String> jobs = new TreeSet<>();
                for (JsonNode t :
                    JSON.readTree(get(prometheus + "/api/v1/targets?state=active"))
                        .path("data")
                        .path("activeTargets")) {
                  if (t.path("health").asText().equals("up")) {
                    jobs.add(t.path("labels").path("job").asText());
                  }
                }
                return jobs.containsAll(wanted);
              } catch (Exception e) {
                return false;
              }
            },
            Duration.ofSeconds(60));
    assertThat(up).as(get(prometheus + "/api/v1/targets?state=active")).isTrue();
    String agent = env.path("STRATA_AGENT_URL").asText();
    assertThat(get(agent + "/")).containsIgnoringCase("<html");
    JsonNode dashboard = JSON.readTree(example.resolve("grafana/grafana-dashboard.json").toFile());
    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
  }
}
