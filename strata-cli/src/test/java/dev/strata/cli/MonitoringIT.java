package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import dev.strata.ops.monitor.ExporterMetrics;
import dev.strata.ops.monitor.MonitoringBinaries;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Wait;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Monitoring on a real stack: the Debian exporters serve the metric names Strata documents,
 * Prometheus scrapes every target (and a file another branch drops beside the exporters'), and a
 * real alert goes end to end — Redis stopped, RedisDown reaches a local HTTP receiver in Slack's,
 * Discord's, PagerDuty's and the webhook's payload shapes, Redis started, resolved. Intervals are
 * tuned to seconds in this stack's strata.yaml. One stack for the class.
 */
final class MonitoringIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** What the receiver got: the path (/slack…) and the body of each POST. */
  private record Post(String path, String body) {}

  private static final ConcurrentLinkedQueue<Post> POSTS = new ConcurrentLinkedQueue<>();
  private static HttpServer receiver;
  private static Path project;

  @BeforeAll
  static void up() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String path : List.of("/slack", "/discord", "/pagerduty", "/webhook")) {
      receiver.createContext(
          path,
          exchange -> {
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            POSTS.add(new Post(path, body));
            // PagerDuty's Events API answers 202 Accepted; the webhooks 200 or 204.
            exchange.sendResponseHeaders(path.equals("/pagerduty") ? 202 : 204, -1);
            exchange.close();
          });
    }
    receiver.start();
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    project = TestProjects.create("monitoring");
    TestProjects.write(
        project,
        TestProjects.FREE_PORTS.replace(TestProjects.MONITORING_OFF, "")
            + "backup:\n  enabled: false\n"
            + "monitoring:\n  enabled: true\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            + "alerts:\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
            + "  down_for: 0s\n  receivers:\n"
            + "    - {name: ops, slack: "
            + base
            + "/slack}\n"
            + "    - {name: chat, discord: "
            + base
            + "/discord}\n"
            + "    - {name: pager, pagerduty: {routing_key: r0ut1ngk3y, url: "
            + base
            + "/pagerduty}}\n"
            + "    - {name: hook, webhook: "
            + base
            + "/webhook}\n"
            // Port 1: nothing listens, so a notification to it fails.
            + "    - {name: dead, webhook: http://127.0.0.1:1/nowhere}\n");
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    Cli table = Cli.run(project, "psql", "--", "-c", "CREATE TABLE orders (id int PRIMARY KEY)");
    assertThat(table.exitCode()).as(table.toString()).isZero();
  }

  @AfterAll
  static void destroy() {
    if (receiver != null) {
      receiver.stop(0);
    }
    if (project != null) {
      TestProjects.destroy(project);
    }
  }

  private static Topology topology() {
    return TestProjects.stack(project).topology();
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  /** The metric names an exporter serves now. */
  private static Set<String> names(Instance exporter) throws Exception {
    return get("http://" + exporter.endpoint() + "/metrics")
        .lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]")[0])
        .collect(Collectors.toSet());
  }

  @Test
  void exporters_serve_every_metric_name_strata_documents() throws Exception {
    String docs = Files.readString(Path.of("../docs/monitoring.md"));
    for (Map.Entry<Kind, List<String>> e : ExporterMetrics.DOCUMENTED.entrySet()) {
      Instance exporter = topology().first(e.getKey());
      // pg_stat_user_tables needs the table made above to show: poll until the exporter has it.
      Wait.until(
          () -> {
            try {
              return names(exporter).containsAll(e.getValue());
            } catch (Exception ex) {
              return false;
            }
          },
          Duration.ofSeconds(20));
      assertThat(names(exporter)).as(e.getKey().displayName()).containsAll(e.getValue());
      assertThat(e.getValue()).allSatisfy(name -> assertThat(docs).contains("`" + name + "`"));
    }
    assertThat(names(topology().first(Kind.PG_EXPORTER)))
        .as("a planted name is not served, so the check can fail")
        .doesNotContain("pg_no_such_metric");
  }

  @Test
  void prometheus_scrapes_every_target_and_files_other_branches_drop() throws Exception {
    Instance prometheus = topology().first(Kind.PROMETHEUS);
    Path targets = project.resolve(".strata/prometheus/targets");
    // What the agent or Patroni would drop: a file of their own, scraped with no change here.
    Files.writeString(
        targets.resolve("extra.json"),
        "[{\"targets\": [\""
            + topology().first(Kind.REDIS_EXPORTER).endpoint()
            + "\"], \"labels\": {\"job\": \"dropped\", \"instance\": \"dropped-1\"}}]\n");
    String api = "http://" + prometheus.endpoint() + "/api/v1/targets?state=active";
    boolean allUp =
        Wait.until(
            () -> {
              try {
                JsonNode active = JSON.readTree(get(api)).path("data").path("activeTargets");
                Set<String> up = new java.util.TreeSet<>();
                for (JsonNode t : active) {
                  if (t.path("health").asText().equals("up")) {
                    up.add(t.path("labels").path("job").asText());
                  }
                }
                return up.equals(
                    Set.of(
                        "postgres",
                        "redis",
                        "pgbouncer",
                        "node",
                        "prometheus",
                        "alertmanager",
                        "dropped"));
              } catch (Exception e) {
                return false;
              }
            },
            DEADLINE);
    assertThat(allUp).as(get(api)).isTrue();
    Files.delete(targets.resolve("extra.json"));
  }

  @Test
  void status_and_env_list_the_monitoring_components() throws IOException {
    Cli status = Cli.run(project, "status");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out())
        .contains("pg_exporter-1", "redis_exporter-1", "pgbouncer_exporter-1", "node_exporter-1")
        .contains("prometheus-1", "alertmanager-1")
        .containsPattern("prometheus-1: targets \\d+/\\d+ up")
        .containsPattern("alertmanager-1: firing \\d+; receivers 5");
    Cli env = Cli.run(project, "env");
    assertThat(env.out())
        .contains("PROMETHEUS_URL='http://" + topology().first(Kind.PROMETHEUS).endpoint() + "'")
        .contains(
            "ALERTMANAGER_URL='http://" + topology().first(Kind.ALERTMANAGER).endpoint() + "'");
    assertThat(Files.readString(project.resolve(".strata/alertmanager/alertmanager.yml")))
        .as("the receivers' secrets stay in alertmanager.yml")
        .contains("r0ut1ngk3y");
    assertThat(status.out() + env.out()).doesNotContain("r0ut1ngk3y");
  }

  private static List<String> posts(String path, String... needles) {
    return POSTS.stream()
        .filter(p -> p.path().equals(path))
        .map(Post::body)
        .filter(b -> List.of(needles).stream().allMatch(b::contains))
        .toList();
  }

  private static boolean everyReceiverGot(String... needles) {
    return !posts("/slack", needles).isEmpty()
        && !posts("/discord", needles).isEmpty()
        && !posts("/pagerduty", needles).isEmpty()
        && !posts("/webhook", needles).isEmpty();
  }

  @Test
  void redis_down_reaches_every_receiver_in_its_shape_and_resolves() throws Exception {
    TestProjects.stack(project).stop(Kind.REDIS);
    try {
      boolean fired = Wait.until(() -> everyReceiverGot("RedisDown"), DEADLINE);
      assertThat(fired).as(POSTS.toString()).isTrue();
      Cli list = Cli.run(project, "alerts", "list");
      assertThat(list.out()).as(list.toString()).contains("RedisDown").contains("critical");
    } finally {
      Cli up = Cli.run(project, "up");
      assertThat(up.exitCode()).as(up.toString()).isZero();
    }
    JsonNode slack = JSON.readTree(posts("/slack", "RedisDown").get(0));
    assertThat(slack.path("attachments").get(0).path("title").asText())
        .isEqualTo("FIRING: RedisDown");
    JsonNode discord = JSON.readTree(posts("/discord", "RedisDown").get(0));
    assertThat(discord.path("embeds").get(0).path("title").asText())
        .contains("FIRING")
        .contains("RedisDown");
    JsonNode pager = JSON.readTree(posts("/pagerduty", "RedisDown").get(0));
    assertThat(pager.path("routing_key").asText()).isEqualTo("r0ut1ngk3y");
    assertThat(pager.path("event_action").asText()).isEqualTo("trigger");
    assertThat(pager.path("dedup_key").asText()).isNotEmpty();
    assertThat(pager.path("payload").path("severity").asText()).isEqualTo("critical");
    JsonNode hook = JSON.readTree(posts("/webhook", "RedisDown").get(0));
    assertThat(hook.path("version").asText()).isEqualTo("4");
    assertThat(hook.path("status").asText()).isEqualTo("firing");
    assertThat(hook.path("alerts").get(0).path("labels").path("instance").asText())
        .isEqualTo("redis-1");

    boolean resolved =
        Wait.until(
            () ->
                !posts("/webhook", "RedisDown", "\"status\":\"resolved\"").isEmpty()
                    && !posts("/pagerduty", "RedisDown", "\"event_action\":\"resolve\"").isEmpty()
                    && !posts("/slack", "RESOLVED: RedisDown").isEmpty()
                    && !posts("/discord", "RedisDown", "RESOLVED").isEmpty(),
            DEADLINE);
    assertThat(resolved).as(POSTS.toString()).isTrue();
    JsonNode resolve =
        JSON.readTree(posts("/pagerduty", "RedisDown", "\"event_action\":\"resolve\"").get(0));
    assertThat(resolve.path("dedup_key").asText()).isEqualTo(pager.path("dedup_key").asText());
  }

  @Test
  void alerts_test_notifies_only_the_named_receiver() {
    Cli test = Cli.run(project, "alerts", "test", "hook");
    assertThat(test.exitCode()).as(test.toString()).isZero();
    assertThat(test.out()).contains("notified hook");
    assertThat(posts("/webhook", "StrataTestAlert")).isNotEmpty();
    assertThat(posts("/slack", "StrataTestAlert")).isEmpty();
    assertThat(posts("/pagerduty", "StrataTestAlert")).isEmpty();

    Cli dead = Cli.run(project, "alerts", "test", "dead");
    assertThat(dead.exitCode()).as(dead.toString()).isEqualTo(1);
    assertThat(dead.err())
        .contains("could not deliver to dead (webhook http://127.0.0.1:1/<masked>)")
        .contains("strata logs alertmanager");

    Cli unknown = Cli.run(project, "alerts", "test", "nobody");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("no receiver named 'nobody'")
        .contains("[ops, chat, pager, hook, dead]");
  }

  @Test
  void alerts_list_without_a_running_alertmanager_names_the_cause_and_the_fix() throws IOException {
    TestProjects.stack(project).stop(Kind.ALERTMANAGER);
    try {
      Cli list = Cli.run(project, "alerts", "list");
      assertThat(list.exitCode()).as(list.toString()).isEqualTo(3);
      assertThat(list.err()).contains("Alertmanager does not answer").contains("strata up");
    } finally {
      Cli up = Cli.run(project, "up");
      assertThat(up.exitCode()).as(up.toString()).isZero();
    }
    Path off = TestProjects.create("monitoring-off");
    try {
      TestProjects.write(off, TestProjects.FREE_PORTS);
      Cli list = Cli.run(off, "alerts", "list");
      assertThat(list.exitCode()).as(list.toString()).isEqualTo(2);
      assertThat(list.err()).contains("monitoring is off").contains("monitoring.enabled: true");
    } finally {
      StackFiles.deleteTree(off);
    }
  }

  @Test
  void alerts_export_writes_rules_that_pass_promtool_and_a_dashboard() throws Exception {
    Path dir = project.resolve("export");
    Cli export = Cli.run(project, "alerts", "export", "--dir", dir.toString());
    assertThat(export.exitCode()).as(export.toString()).isZero();
    assertThat(dir.resolve("alertmanager.yml")).exists();
    JsonNode dashboard = JSON.readTree(dir.resolve("grafana-dashboard.json").toFile());
    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
    Exec.Result test =
        Exec.of(
                MonitoringBinaries.promtool(false).toString(),
                "test",
                "rules",
                dir.resolve("strata.rules.test.yml").toString())
            .run();
    assertThat(test.ok()).as(test.output()).isTrue();
  }
}
