package dev.strata.cli;

import static dev.strata.cli.BlueprintSupport.JSON;
import static dev.strata.cli.BlueprintSupport.column;
import static dev.strata.cli.BlueprintSupport.connect;
import static dev.strata.cli.BlueprintSupport.query;
import static dev.strata.cli.BlueprintSupport.strata;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.StackFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * examples/cryb (seed 002) run end to end as its README says, against a local s3rver (HTTPS, its
 * own CA) and a local receiver for Slack, Discord and PagerDuty; then each point the blueprint must
 * show, on the stack the page left running: 3 PostgreSQL nodes after a failover, a 6-node Redis
 * Cluster, pg_partman partitions made and dropped by retention, encrypted WAL and backups in the
 * bucket, the three receivers' payloads, the replication checks of status and monitor.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class CrybBlueprintIT {
  private static final ConcurrentLinkedQueue<BlueprintSupport.Post> POSTS =
      new ConcurrentLinkedQueue<>();
  private static Path s3dir;
  private static S3rver s3;
  private static HttpServer receiver;
  private static DocSession session;
  private static Path example;
  private static Map<String, String> env;

  @BeforeAll
  static void runThePage() throws Exception {
    s3dir = TestProjects.create("cryb-s3");
    BlueprintSupport.localhostCertificate(s3dir.resolve("tls"));
    s3 = S3rver.start(s3dir.resolve("s3/data"), s3dir.resolve("tls"), "cryb-backups");
    receiver = BlueprintSupport.receiver(POSTS);
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    env =
        Map.ofEntries(
            Map.entry("BACKUP_S3_ENDPOINT", "localhost:" + s3.port()),
            Map.entry("BACKUP_S3_BUCKET", "cryb-backups"),
            Map.entry("BACKUP_S3_PATH_STYLE", "true"),
            Map.entry("BACKUP_S3_CA_FILE", s3dir.resolve("tls/ca.crt").toString()),
            Map.entry("AWS_ACCESS_KEY_ID", "S3RVER"),
            Map.entry("AWS_SECRET_ACCESS_KEY", "S3RVER"),
            Map.entry("SLACK_WEBHOOK_URL", base + "/slack"),
            Map.entry("DISCORD_WEBHOOK_URL", base + "/discord"),
            Map.entry("PAGERDUTY_INTEGRATION_KEY", "r0ut1ngk3y"),
            Map.entry("PAGERDUTY_EVENTS_URL", base + "/pagerduty"));
    session =
        DocSession.run(DocPage.read(DocSession.CHECKOUT.resolve("examples/cryb/README.md")), env);
    example = session.root().resolve("examples/cryb");
  }

  @AfterAll
  static void close() throws Exception {
    try {
      if (session != null) {
        session.close();
      }
    } finally {
      if (receiver != null) {
        receiver.stop(0);
      }
      if (s3 != null) {
        s3.close();
      }
      if (s3dir != null) {
        StackFiles.deleteTree(s3dir);
      }
    }
  }

  @Test
  @Order(1)
  void the_readme_runs_as_written() {
    assertThat(session.problems()).isEmpty();
  }

  @Test
  @Order(2)
  void three_postgres_nodes_a_leader_and_two_streaming_replicas_after_the_failover()
      throws Exception {
    assertThat(Files.readString(example.resolve("strata.yaml"))).containsPattern("nodes: *3");
    Exec.Result replicas =
        strata(
            example,
            env,
            "psql",
            "--as",
            "superuser",
            "--",
            "-Atc",
            "select count(*) from pg_stat_replication where state = 'streaming'");
    assertThat(replicas.output().strip()).as(replicas.output()).isEqualTo("2");
    JsonNode urls = BlueprintSupport.env(example, env);
    try (Connection leader = connect(urls.path("DIRECT_URL").asText());
        Connection read = connect(urls.path("READ_DATABASE_URL").asText())) {
      assertThat(query(leader, "select pg_is_in_recovery()")).isEqualTo("f");
      assertThat(query(read, "select pg_is_in_recovery()")).isEqualTo("t");
      // The failover drill's writes reached the replica through the new leader.
      assertThat(query(read, "select count(*) > 0 from strata_failover_drill")).isEqualTo("t");
    }
    JsonNode status = JSON.readTree(strata(example, env, "status", "--json").output());
    List<String> roles = new java.util.ArrayList<>();
    for (JsonNode i : status.path("instances")) {
      if (i.path("kind").asText().equals("postgres")) {
        roles.add(i.path("details").path("role").asText());
      }
    }
    assertThat(roles).hasSize(3).containsOnlyOnce("leader");
    assertThat(roles.stream().filter(r -> r.equals("replica") || r.equals("sync_standby")))
        .hasSize(2);
  }

  @Test
  @Order(3)
  void a_six_node_redis_cluster_with_every_slot_served() {
    Exec.Result info = strata(example, env, "redis-cli", "--", "cluster", "info");
    assertThat(info.output())
        .as(info.output())
        .contains("cluster_state:ok")
        .contains("cluster_slots_ok:16384")
        .contains("cluster_known_nodes:6")
        .contains("cluster_size:3");
    Exec.Result set = strata(example, env, "redis-cli", "--", "set", "{user:1}:session", "s1");
    assertThat(set.output()).as(set.output()).contains("OK");
    Exec.Result get = strata(example, env, "redis-cli", "--", "get", "{user:1}:session");
    assertThat(get.output()).contains("s1");
  }

  @Test
  @Order(4)
  void pg_partman_makes_partitions_ahead_and_drops_those_past_the_retention() throws Exception {
    Exec.Result preload =
        strata(
            example,
            env,
            "psql",
            "--as",
            "superuser",
            "--",
            "-Atc",
            "show shared_preload_libraries");
    assertThat(preload.output()).contains("pg_partman_bgw").contains("pg_stat_statements");
    JsonNode urls = BlueprintSupport.env(example, env);
    try (Connection owner = connect(urls.path("DIRECT_URL").asText());
        Statement s = owner.createStatement()) {
      List<String> before =
          column(
              owner,
              "select partition_tablename from partman.show_partitions('public.user_events')");
      // The migration made 8 (3 days back, today, 4 ahead); the background worker may have run
      // maintenance since (it does when a new leader starts it), making more ahead.
      assertThat(before.size()).isGreaterThanOrEqualTo(8);
      String oldest =
          query(
              owner, "select 'user_events_p' || to_char(now() - interval '3 days', 'YYYY_MM_DD')");
      String ahead =
          query(
              owner, "select 'user_events_p' || to_char(now() + interval '4 days', 'YYYY_MM_DD')");
      assertThat(before).contains(oldest, ahead);
      // The retention the migration set (90 days) keeps everything; 1 day drops the two oldest.
      assertThat(
              query(
                  owner,
                  "select retention from partman.part_config where parent_table = 'public.user_events'"))
          .isEqualTo("90 days");
      s.execute("call partman.run_maintenance_proc()");
      assertThat(
              column(
                  owner,
                  "select partition_tablename from partman.show_partitions('public.user_events')"))
          .containsAll(before);
      s.execute(
          "update partman.part_config set retention = '1 day', premake = 5"
              + " where parent_table = 'public.user_events'");
      s.execute("call partman.run_maintenance_proc()");
      List<String> after =
          column(
              owner,
              "select partition_tablename from partman.show_partitions('public.user_events')");
      String second =
          query(
              owner, "select 'user_events_p' || to_char(now() - interval '2 days', 'YYYY_MM_DD')");
      String yesterday =
          query(owner, "select 'user_events_p' || to_char(now() - interval '1 day', 'YYYY_MM_DD')");
      assertThat(after).doesNotContain(oldest, second).contains(yesterday);
      assertThat(after)
          .contains(
              query(
                  owner,
                  "select 'user_events_p' || to_char(now() + interval '5 days', 'YYYY_MM_DD')"));
      assertThat(query(owner, "select to_regclass('public." + oldest + "') is null"))
          .isEqualTo("t");
      assertThat(query(owner, "select count(*) from user_events")).isEqualTo("100");
      s.execute(
          "update partman.part_config set retention = '90 days', premake = 4"
              + " where parent_table = 'public.user_events'");
    }
  }

  @Test
  @Order(5)
  void wal_and_backups_are_in_the_bucket_encrypted() throws Exception {
    String conf = Files.readString(example.resolve(".strata/pgbackrest.conf"));
    assertThat(conf)
        .contains("repo1-type=s3")
        .contains("repo1-s3-bucket=cryb-backups")
        .contains("repo1-cipher-type=aes-256-cbc");
    Path bucket = s3dir.resolve("s3/data/cryb-backups/cryb");
    List<Path> objects;
    try (Stream<Path> files = Files.walk(bucket)) {
      objects = files.filter(f -> f.toString().endsWith("._S3rver_object")).toList();
    }
    assertThat(objects).anyMatch(f -> f.toString().contains("/backup/strata/backup.info"));
    assertThat(objects)
        .as("archived WAL segments")
        .anyMatch(
            f ->
                f.toString().contains("/archive/strata/15-")
                    && f.getFileName().toString().matches("0{7}[0-9A-F]{17}.*"));
    for (Path f : objects) {
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(f), 8);
      assertThat(new String(head, java.nio.charset.StandardCharsets.ISO_8859_1))
          .as("%s is encrypted (OpenSSL's salted format)", f)
          .isEqualTo("Salted__");
    }
  }

  @Test
  @Order(6)
  void slack_discord_and_pagerduty_each_got_the_test_alert_in_their_shape() throws Exception {
    JsonNode slack = JSON.readTree(post("/slack"));
    assertThat(slack.path("attachments").get(0).path("title").asText())
        .isEqualTo("FIRING: StrataTestAlert");
    JsonNode discord = JSON.readTree(post("/discord"));
    assertThat(discord.path("embeds").get(0).path("title").asText()).contains("StrataTestAlert");
    JsonNode pager = JSON.readTree(post("/pagerduty"));
    assertThat(pager.path("routing_key").asText()).isEqualTo("r0ut1ngk3y");
    assertThat(pager.path("event_action").asText()).isEqualTo("trigger");
    assertThat(Files.readString(example.resolve(".strata/alertmanager/alertmanager.yml")))
        .contains("r0ut1ngk3y");
  }

  private static String post(String path) {
    return POSTS.stream()
        .filter(p -> p.path().equals(path) && p.body().contains("StrataTestAlert"))
        .map(BlueprintSupport.Post::body)
        .findFirst()
        .orElseThrow(() -> new AssertionError("nothing posted to " + path + ": " + POSTS));
  }

  @Test
  @Order(7)
  void the_seeds_health_checks_are_status_monitor_and_alert_rules() throws Exception {
    Exec.Result status = strata(example, env, "status");
    assertThat(
            status
                .output()
                .lines()
                .filter(
                    l -> l.matches("postgres-\\d: role (replica|sync_standby); .*lag \\d+ bytes")))
        .as(status.output())
        .hasSize(2);
    JsonNode report = JSON.readTree(strata(example, env, "monitor", "--json").output());
    JsonNode replication = null;
    for (JsonNode section : report.path("sections")) {
      if (section.path("name").asText().equals("replication")) {
        replication = section;
      }
    }
    assertThat(replication).as(report.toString()).isNotNull();
    assertThat(replication.path("findings")).hasSize(2);
    for (JsonNode f : replication.path("findings")) {
      assertThat(f.path("check").asText()).isEqualTo("replication_lag");
      assertThat(f.path("subject").asText()).startsWith("postgres-");
    }
    assertThat(Files.readString(example.resolve(".strata/prometheus/rules/strata.rules.yml")))
        .contains("alert: PostgresReplicationLag")
        .contains("pg_replication_lag > 10.0")
        .contains("alert: PostgresSlowQueries");
    // The seed's own functions, kept for psql, answer too.
    Exec.Result seed =
        strata(
            example,
            env,
            "psql",
            "--as",
            "superuser",
            "--",
            "-Atc",
            "select count(*) from check_replication_lag_alert() where not alert");
    assertThat(seed.output().strip()).as(seed.output()).isEqualTo("2");
  }
}
