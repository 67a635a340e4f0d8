package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.env.AgentAddress;
import dev.strata.core.env.StateDir;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent on a real stack brought up by {@code strata up}: it restarts each server killed with
 * SIGKILL and {@code status} says so, runs a job on its cron, writes the heartbeat, answers on its
 * endpoints, serves a dashboard that a real headless Chromium renders with data, and {@code strata
 * down} stops it. One stack for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class AgentIT {
  private static final String YAML =
      TestProjects.FREE_PORTS
          + "backup:\n  enabled: true\n  schedule:\n    full: off\n    diff: off\n    drill: off\n"
          + "    redis: \"*/3 * * * * *\"\n"
          + "agent:\n  check_interval: 500ms\n  heartbeat: 1s\n  sample_interval: 1s\n";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path project;
  private static String autostart;

  @BeforeAll
  static void up() throws IOException {
    // The CLI tests keep the agent off (strata.agent.autostart=false in the failsafe setup).
    autostart = System.getProperty(AgentLauncher.AUTOSTART);
    System.setProperty(AgentLauncher.AUTOSTART, "true");
    project = TestProjects.create("agent");
    TestProjects.write(project, YAML);
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.out()).containsPattern("agent: http://127\\.0\\.0\\.1:\\d+ \\(pid \\d+, started");
  }

  @AfterAll
  static void destroy() {
    try {
      TestProjects.destroy(project);
      assertThat(AgentAddress.running(dir())).as("destroy stops the agent").isEmpty();
    } finally {
      if (autostart == null) {
        System.clearProperty(AgentLauncher.AUTOSTART);
      } else {
        System.setProperty(AgentLauncher.AUTOSTART, autostart);
      }
    }
  }

  private static StateDir dir() {
    return StateDir.of(project);
  }

  private static String url() {
    return AgentAddress.running(dir()).orElseThrow(() -> new AssertionError("no agent runs")).url();
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode status() {
    Cli status = Cli.run(project, "status", "--json");
    try {
      return JSON.readTree(status.out());
    } catch (IOException e) {
      throw new AssertionError(status.toString(), e);
    }
  }

  private static JsonNode instance(String id) {
    for (JsonNode i : status().path("instances")) {
      if (i.path("id").asText().equals(id)) {
        return i;
      }
    }
    throw new AssertionError("no instance " + id);
  }

  @Test
  @Order(1)
  void env_and_status_name_the_agent() {
    Cli env = Cli.run(project, "env");
    assertThat(env.out()).contains("STRATA_AGENT_URL='" + url() + "'");
    Cli status = Cli.run(project, "status");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out()).contains("agent: " + url() + " (pid ");
    assertThat(status().path("agent").path("url").asText()).isEqualTo(url());
  }

  @Test
  @Order(2)
  void the_endpoints_answer() throws Exception {
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).path("ok").asBoolean()).isTrue();

    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("strata_agent_uptime_seconds ")
        .contains("strata_agent_instance_up{instance=\"redis-1\"} 1.0")
        .contains("jvm_memory_used_bytes");

    JsonNode s = JSON.readTree(get("/api/status").body());
    assertThat(s.path("instances")).hasSize(3);
    assertThat(s.path("sizes").path("available").asBoolean()).isTrue();
    assertThat(s.path("slow_queries").toString()).doesNotContainIgnoringCase("password");
    assertThat(s.path("alerts").path("available").asBoolean())
        .as("no monitoring runs here: %s", s.path("alerts"))
        .isFalse();

    JsonNode h = JSON.readTree(get("/api/history?hours=1").body());
    assertThat(h.path("charts")).hasSize(7);
    assertThat(h.path("source").asText()).isEqualTo("agent");

    assertThat(get("/").body()).contains("<title>Strata</title>").contains("dashboard.js");
    assertThat(get("/no-such-page").statusCode()).isEqualTo(404);

    String target = Files.readString(project.resolve(".strata/prometheus/targets/agent.json"));
    JsonNode t = JSON.readTree(target).get(0);
    assertThat(t.path("targets").get(0).asText()).isEqualTo(url().substring("http://".length()));
    assertThat(t.path("labels").path("job").asText()).isEqualTo("strata_agent");
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres-1", "pooler-1", "redis-1"})
  @Order(3)
  void a_server_killed_with_sigkill_is_restarted_and_status_says_so(String id) throws Exception {
    long pid = instance(id).path("pid").asLong();
    int before = instance(id).path("details").path("restarts").asInt(0);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    assertThat(Wait.until(() -> !PidFile.running(pid), Duration.ofSeconds(10))).isTrue();

    boolean back =
        Wait.until(
            () -> {
              JsonNode i = instance(id);
              return i.path("state").asText().equals("running")
                  && i.path("pid").asLong() != pid
                  && i.path("details").path("restarts").asInt(0) == before + 1;
            },
            Duration.ofSeconds(60));
    JsonNode i = instance(id);
    assertThat(back).as("%s restarted by the agent: %s", id, i).isTrue();
    assertThat(i.path("details").path("last_reason").asText())
        .isEqualTo("process " + pid + " exited");
    assertThat(Cli.run(project, "status").out())
        .contains(id + ": ")
        .contains("restarts " + (before + 1));
    assertThat(get("/metrics").body())
        .contains("strata_agent_restarts_total{instance=\"" + id + "\"} " + (before + 1) + ".0");
    assertThat(Cli.run(project, "logs", "agent", "-n", "400").out())
        .contains(id + ": process " + pid + " exited; restarting it")
        .containsPattern(Pattern.quote(id) + ": restarted in \\d+ ms");
  }

  @Test
  @Order(4)
  void a_crash_soon_after_a_restart_is_restarted_after_a_backoff() throws Exception {
    // redis-1 was restarted by the test before, seconds ago: this is a crash loop.
    long pid = instance("redis-1").path("pid").asLong();
    int before = instance("redis-1").path("details").path("restarts").asInt(0);
    assertThat(before).isPositive();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    boolean back =
        Wait.until(
            () -> instance("redis-1").path("details").path("restarts").asInt(0) == before + 1,
            Duration.ofSeconds(60));
    assertThat(back).as("restarted after the backoff: %s", instance("redis-1")).isTrue();
    assertThat(Cli.run(project, "logs", "agent", "-n", "400").out())
        .containsPattern(
            "redis-1: process "
                + pid
                + " exited again, \\d+ s after its restart; restarting it in 1000 ms");
  }

  @Test
  @Order(5)
  void a_scheduled_job_runs_on_its_cron() throws Exception {
    Pattern runs =
        Pattern.compile(
            "strata_agent_job_runs_total\\{job=\"redis-snapshot\",result=\"ok\"\\} (\\d+)\\.0");
    boolean twice =
        Wait.until(
            () -> {
              try {
                Matcher m = runs.matcher(get("/metrics").body());
                JsonNode last = job(JSON.readTree(get("/api/status").body())).path("last_run");
                // The last run may have met the Redis the test before killed: wait for one after.
                return m.find() && Integer.parseInt(m.group(1)) >= 2 && last.path("ok").asBoolean();
              } catch (Exception e) {
                return false;
              }
            },
            Duration.ofSeconds(30));
    JsonNode s = JSON.readTree(get("/api/status").body());
    assertThat(twice).as("redis-snapshot ran twice on */3: %s", s.path("jobs")).isTrue();
    JsonNode job = job(s);
    assertThat(job.path("job").asText()).isEqualTo("redis-snapshot");
    assertThat(job.path("cron").asText()).isEqualTo("*/3 * * * * *");
    assertThat(job.path("last_run").path("ok").asBoolean()).as(job.toString()).isTrue();
    long second = java.time.OffsetDateTime.parse(job.path("next_run").asText()).getSecond();
    assertThat(second % 3).as("next run on the cron's seconds").isZero();
    Cli agentStatus = Cli.run(project, "agent", "status");
    assertThat(agentStatus.out()).contains("redis-snapshot").contains("*/3 * * * * *");
  }

  private static JsonNode job(JsonNode status) {
    for (JsonNode j : status.path("jobs")) {
      if (j.path("job").asText().equals("redis-snapshot")) {
        return j;
      }
    }
    throw new AssertionError("no redis-snapshot job: " + status.path("jobs"));
  }

  @Test
  @Order(6)
  void the_agent_writes_heartbeats() {
    List<String> psql = TestProjects.stack(project).superuserPsql("postgres");
    Exec.Result first = count(psql);
    boolean grows =
        Wait.until(
            () -> {
              Exec.Result r = count(psql);
              return r.ok()
                  && first.ok()
                  && Long.parseLong(r.output().strip()) > Long.parseLong(first.output().strip());
            },
            Duration.ofSeconds(20));
    assertThat(grows).as("heartbeat rows grow: %s", first).isTrue();
  }

  private static Exec.Result count(List<String> psql) {
    List<String> cmd = new java.util.ArrayList<>(psql);
    cmd.addAll(List.of("-XAtq", "-c", "SELECT count(*) FROM strata.heartbeat WHERE why = 'agent'"));
    return Exec.of(cmd).timeout(Duration.ofSeconds(10)).run();
  }

  @Test
  @Order(7)
  void a_second_agent_is_refused() {
    Cli run = Cli.run(project, "agent", "run");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    assertThat(run.err())
        .contains("an agent already runs for this stack")
        .contains("strata agent stop");
  }

  @Test
  @Order(8)
  void the_dashboard_renders_with_data_in_chromium() throws Exception {
    Path chromium =
        Binaries.require(List.of(new Binaries.Program("chromium", "chromium")), true)
            .get("chromium");
    // Two samples at least, so the charts draw lines rather than a single point.
    assertThat(
            Wait.until(
                () -> {
                  try {
                    return JSON.readTree(get("/api/history?hours=1").body())
                            .path("charts")
                            .get(0)
                            .path("points")
                            .size()
                        >= 3;
                  } catch (Exception e) {
                    return false;
                  }
                },
                Duration.ofSeconds(30)))
        .isTrue();
    List<String> headless =
        List.of(
            chromium.toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1400,1400",
            "--virtual-time-budget=10000");
    Exec.Result dom =
        Exec.of(concat(headless, "--dump-dom", url() + "/")).timeout(Duration.ofSeconds(120)).run();
    assertThat(dom.ok()).as(dom.describeFailure()).isTrue();
    assertThat(dom.output())
        .contains("data-status=\"loaded\"")
        .contains("data-charts=\"loaded\"")
        .contains("data-instance=\"redis-1\" data-up=\"true\"")
        .contains("data-chart-source=\"agent\"");
    Matcher points =
        Pattern.compile("data-chart=\"connections\" data-points=\"(\\d+)\"").matcher(dom.output());
    assertThat(points.find()).as(dom.output()).isTrue();
    assertThat(Integer.parseInt(points.group(1))).isGreaterThanOrEqualTo(3);

    Path shot = Path.of("target", "agent-dashboard.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    Exec.Result r =
        Exec.of(concat(headless, "--screenshot=" + shot, url() + "/"))
            .timeout(Duration.ofSeconds(120))
            .run();
    assertThat(r.ok()).as(r.describeFailure()).isTrue();
    assertThat(Files.size(shot)).as("a screenshot of a page with content").isGreaterThan(20_000);
  }

  private static List<String> concat(List<String> a, String... more) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(List.of(more));
    return all;
  }

  @Test
  @Order(9)
  void down_stops_the_agent_and_up_no_agent_leaves_it_off() {
    long pid = AgentAddress.running(dir()).orElseThrow().pid();
    Cli down = Cli.run(project, "down");
    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(PidFile.running(pid)).as("the agent outlived down").isFalse();
    assertThat(AgentAddress.running(dir())).isEmpty();
    assertThat(Cli.run(project, "status").out()).contains("agent: not running");

    Cli up = Cli.run(project, "up", "--no-agent");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.out()).doesNotContain("agent: http");
    assertThat(AgentAddress.running(dir())).isEqualTo(Optional.empty());
    assertThat(Cli.run(project, "env").out()).doesNotContain("STRATA_AGENT_URL");
    Cli agentStatus = Cli.run(project, "agent", "status");
    assertThat(agentStatus.exitCode()).isEqualTo(1);
  }
}
