package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.backup.PgBackRest;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Wait;
import dev.strata.ops.stack.ComponentStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Backups across a change of leader, on one 3-node Patroni stack with backups on: every node is a
 * pg host of the one stanza and archives with its own data directory; a full backup before a
 * switchover and a differential one after it form one chain; the new leader archives into the same
 * stanza; a drill and a restore beside the stack bring back the rows written after the switchover.
 * The tests run in order: each builds on the one before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class BackupAfterFailoverIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path project;
  private static String firstLeader;
  private static String newLeader;

  @BeforeAll
  static void up() throws IOException {
    project = TestProjects.create("habackup");
    Files.writeString(
        project.resolve("strata.yaml"),
        TestProjects.FREE_PORTS.replace(
                "memory: 256mb", "memory: 256mb\n  nodes: 3\n  etcd_members: 1")
            + "backup:\n  checks:\n"
            + "    after_switchover: {sql: \"SELECT count(*) FROM t WHERE id > 100\","
            + " expect: \"100\"}\n");
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
  }

  @AfterAll
  static void destroy() {
    TestProjects.destroy(project);
  }

  @Test
  @Order(10)
  void every_node_is_a_pg_host_of_the_stanza_and_archives_from_its_own_data_directory()
      throws Exception {
    ComponentContext context = context();
    List<Instance> nodes = context.topology().of(Kind.POSTGRES);
    String conf = Files.readString(project.resolve(".strata/pgbackrest.conf"));
    Set<String> systemIds = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      Instance node = nodes.get(i);
      Path data = context.folder(node).resolve("data");
      assertThat(conf)
          .contains("pg" + (i + 1) + "-path=" + data + "\n")
          .contains("pg" + (i + 1) + "-port=" + node.port() + "\n");
      assertThat(superuser(node, "SHOW archive_command"))
          .as("%s archives with its own data directory", node.id())
          .contains("--pg1-path=" + data + " archive-push %p");
      // Replicas keep archive_mode=on: they archive nothing until one is promoted.
      assertThat(superuser(node, "SHOW archive_mode")).isEqualTo("on");
      systemIds.add(superuser(node, "SELECT system_identifier FROM pg_control_system()"));
    }
    assertThat(conf).doesNotContain("pg4-");
    assertThat(systemIds).as("one cluster: the stanza matches every node").hasSize(1);
    JsonNode info =
        JSON.readTree(
            new PgBackRest(context)
                .check("info", "see above", "info", "--output=json", "--log-level-console=warn"));
    assertThat(info.get(0).path("db").get(0).path("system-id").asText())
        .isEqualTo(systemIds.iterator().next());
    firstLeader = leader();
    assertThat(firstLeader).startsWith("postgres-");
  }

  @Test
  @Order(20)
  void a_full_backup_before_the_switchover() {
    sql("CREATE TABLE t (id int PRIMARY KEY)");
    sql("INSERT INTO t SELECT g FROM generate_series(1, 100) g");
    Cli full = Cli.run(project, "backup", "full");
    assertThat(full.exitCode()).as(full.toString()).isZero();
  }

  @Test
  @Order(30)
  void after_a_switchover_the_rendered_stanza_still_reaches_the_new_leader() throws Exception {
    Cli switchover = Cli.run(project, "switchover");
    assertThat(switchover.exitCode()).as(switchover.toString()).isZero();
    assertThat(Wait.until(() -> !quietLeader().equals(firstLeader), Duration.ofSeconds(60)))
        .as("a new leader: %s", quietRoles())
        .isTrue();
    newLeader = leader();
    assertThat(
            Wait.until(
                () -> newLeader.equals(recordedLeader()) && writable(), Duration.ofSeconds(60)))
        .as("the callback recorded %s and DIRECT_URL writes", newLeader)
        .isTrue();
    sql("INSERT INTO t SELECT g FROM generate_series(101, 200) g");

    // The planted bug: the stanza of one pg host (the old configuration, postgres-1's data
    // directory with the leader's port) fails once the leader is another node.
    ComponentContext context = context();
    Instance leader = context.topology().instance(newLeader).orElseThrow();
    Instance other =
        context.topology().of(Kind.POSTGRES).stream()
            .filter(n -> !n.id().equals(newLeader))
            .findFirst()
            .orElseThrow();
    String single =
        Files.readString(project.resolve(".strata/pgbackrest.conf"))
                .lines()
                .filter(l -> !l.matches("pg[2-9]-.*"))
                .map(l -> l.startsWith("pg1-port=") ? "pg1-port=" + leader.port() : l)
                .map(
                    l ->
                        l.startsWith("pg1-path=")
                            ? "pg1-path=" + context.folder(other).resolve("data")
                            : l)
                .collect(Collectors.joining("\n"))
            + "\n";
    Path planted = project.resolve(".strata/pgbackrest-one-host.conf");
    ConfigFiles.write(planted, single, "rw-------");
    context.runAs().give(planted);
    Exec.Result wrong =
        context
            .runAs()
            .exec(
                "pgbackrest",
                "--config=" + planted,
                "--stanza=" + PgBackRest.STANZA,
                "--log-level-console=warn",
                "check")
            .timeout(Duration.ofMinutes(2))
            .run();
    assertThat(wrong.ok()).as("one pg host on a replica's data: %s", wrong.output()).isFalse();
    Files.delete(planted);
  }

  @Test
  @Order(40)
  void a_diff_backup_after_it_continues_the_same_stanza() throws Exception {
    Cli diff = Cli.run(project, "backup", "diff");
    assertThat(diff.exitCode()).as(diff.toString()).isZero();
    JsonNode backups = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    JsonNode sets = backups.path("backups");
    assertThat(sets).hasSize(2);
    assertThat(sets.get(0).path("type").asText()).isEqualTo("full");
    assertThat(sets.get(1).path("type").asText()).isEqualTo("diff");
    assertThat(sets.get(1).path("prior").asText()).isEqualTo(sets.get(0).path("label").asText());
  }

  @Test
  @Order(50)
  void the_new_leader_archives_into_the_same_stanza() throws Exception {
    ComponentContext context = context();
    new PgBackRest(context).check("pgbackrest check", "see above", "check");
    String timeline =
        superuser(
            context.topology().instance(newLeader).orElseThrow(),
            "SELECT lpad(to_hex(timeline_id), 8, '0') FROM pg_control_checkpoint()");
    assertThat(timeline).isNotEqualTo("00000001");
    Cli status = Cli.run(project, "status", "--json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    JsonNode b = JSON.readTree(status.out()).path("backup");
    assertThat(b.path("archiving").asText()).as(b.toString()).isEqualTo("ok");
    assertThat(b.path("last_archived_wal").asText())
        .as("archived by the new leader, on its timeline")
        .startsWith(timeline);
    try (var files = Files.walk(project.resolve(".strata/backups/archive/strata"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("the new timeline's history is in the stanza's archive")
          .anyMatch(f -> f.startsWith(timeline + ".history"));
    }
  }

  @Test
  @Order(60)
  void a_drill_restores_the_rows_written_after_the_switchover() throws Exception {
    Cli drill = Cli.run(project, "drill", "restore", "--json");
    assertThat(drill.exitCode()).as(drill.toString()).isZero();
    JsonNode result = JSON.readTree(drill.out());
    assertThat(result.path("ok").asBoolean()).isTrue();
    JsonNode sets = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    assertThat(result.path("backup_set").asText())
        .isEqualTo(sets.path("backups").get(1).path("label").asText());
    Map<String, Boolean> checks = new TreeMap<>();
    result
        .path("checks")
        .forEach(c -> checks.put(c.path("name").asText(), c.path("ok").asBoolean()));
    assertThat(checks)
        .containsEntry("after_switchover", true)
        .containsEntry("row counts", true)
        .containsEntry("point in time", true);
  }

  @Test
  @Order(70)
  void a_restore_beside_the_stack_names_only_the_copy_and_holds_every_row() throws Exception {
    Cli restore = Cli.run(project, "restore", "--to", "latest", "--json");
    assertThat(restore.exitCode()).as(restore.toString()).isZero();
    JsonNode copy = JSON.readTree(restore.out());
    int port = copy.path("port").asInt();
    String url = copy.path("direct_url").asText();
    assertThat(url).contains(":" + port + "/");
    for (Instance node : context().topology().of(Kind.POSTGRES)) {
      assertThat(url).as("the copy's URL names no node").doesNotContain(":" + node.port() + "/");
      assertThat(url).doesNotContain(":" + node.port() + ",");
    }
    String count =
        new Psql(context().tools().pgBinDir())
            .superuser(
                context().runAs(),
                context().socketDir(),
                port,
                context().spec().postgres().primaryDatabase(),
                "SELECT count(*) FROM t")
            .run()
            .output()
            .strip();
    assertThat(count).isEqualTo("200");
    Cli remove = Cli.run(project, "restore", "remove", copy.path("id").asText());
    assertThat(remove.exitCode()).as(remove.toString()).isZero();
  }

  @Test
  @Order(80)
  void an_in_place_restore_is_refused_on_a_patroni_cluster_and_changes_nothing() {
    Cli inPlace = Cli.run(project, "restore", "--in-place", "--yes", "--to", "latest");
    assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(2);
    assertThat(inPlace.err())
        .contains("not supported with postgres.nodes > 1")
        .contains("without --in-place");
    assertThat(quietLeader()).isEqualTo(newLeader);
    assertThat(sqlCount()).isEqualTo(200);
  }

  @Test
  @Order(90)
  void with_a_replica_down_the_backup_and_the_archive_check_still_find_the_primary()
      throws Exception {
    String replica =
        roles().keySet().stream().filter(n -> !n.equals(newLeader)).findFirst().orElseThrow();
    TestProjects.stack(project).stop(replica);
    assertThat(roles().get(replica)).as("%s is down", replica).isEqualTo("none");
    Cli incr = Cli.run(project, "backup", "incr");
    assertThat(incr.exitCode()).as(incr.toString()).isZero();
    JsonNode sets = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    assertThat(sets.path("backups")).hasSize(3);
    assertThat(sets.path("backups").get(2).path("prior").asText())
        .isEqualTo(sets.path("backups").get(1).path("label").asText());
    new PgBackRest(context()).check("pgbackrest check", "see above", "check");
  }

  private static ComponentContext context() {
    return TestProjects.stack(project).context();
  }

  private static String superuser(Instance node, String sql) {
    Exec.Result r =
        new Psql(context().tools().pgBinDir())
            .superuser(context().runAs(), context().socketDir(), node.port(), "postgres", sql)
            .timeout(Duration.ofSeconds(30))
            .run();
    assertThat(r.ok()).as("%s on %s: %s", sql, node.id(), r.output()).isTrue();
    return r.output().strip();
  }

  private static PgEndpoint direct() {
    return TestProjects.stack(project).env().direct();
  }

  private static void sql(String sql) {
    try (Connection c = DriverManager.getConnection(direct().jdbcUrl(), direct().jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new AssertionError(sql + ": " + e.getMessage(), e);
    }
  }

  private static long sqlCount() {
    try (Connection c = DriverManager.getConnection(direct().jdbcUrl(), direct().jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static boolean writable() {
    try (Connection c = DriverManager.getConnection(direct().jdbcUrl(), direct().jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return !rs.getBoolean(1);
    } catch (SQLException e) {
      return false;
    }
  }

  private static String recordedLeader() {
    try {
      return Files.readString(project.resolve(".strata/patroni/leader")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static Map<String, String> roles() {
    Map<String, String> roles = new TreeMap<>();
    for (ComponentStatus s : TestProjects.stack(project).status()) {
      if (s.instance().id().startsWith("postgres-")) {
        roles.put(s.instance().id(), s.details().getOrDefault("role", "none"));
      }
    }
    return roles;
  }

  private static Map<String, String> quietRoles() {
    try {
      return roles();
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  private static String leader() {
    return roles().entrySet().stream()
        .filter(e -> e.getValue().equals("leader"))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("none");
  }

  private static String quietLeader() {
    try {
      return leader();
    } catch (RuntimeException e) {
      return "none";
    }
  }
}
