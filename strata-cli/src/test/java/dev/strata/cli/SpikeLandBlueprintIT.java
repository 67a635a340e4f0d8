package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.jdbc.pool.PoolFigures;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * examples/spike-land (seed 001) end to end: its README's session runs as written, then each point
 * the blueprint must show is checked on the stack the README started: the seed's Prisma models
 * applied by strata migrate, DATABASE_URL and DIRECT_URL as schema.prisma reads them (node-postgres
 * through DATABASE_URL), the read replica, the GFS retention keeping the pre-migration backup, the
 * drill's row counts, and the seed's five alerts in the running Prometheus.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class SpikeLandBlueprintIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DocSession session;
  private static Path project;
  private static Stack stack;

  @BeforeAll
  static void runTheReadme() throws Exception {
    session =
        DocSession.run(DocPage.read(DocSession.CHECKOUT.resolve("examples/spike-land/README.md")));
    project = session.root().resolve("examples/spike-land");
    stack = TestProjects.stack(project);
  }

  @AfterAll
  static void close() throws Exception {
    if (session != null) {
      session.close();
    }
  }

  @Test
  @Order(1)
  void the_readme_runs_as_written() {
    assertThat(session.problems()).isEmpty();
  }

  @Test
  @Order(2)
  void the_seeds_models_are_tables_and_prisma_migrations_records_both_as_finished()
      throws Exception {
    try (Connection c = connect(stack.env().direct())) {
      TreeSet<String> tables = new TreeSet<>();
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "select table_name from information_schema.tables where table_schema = 'public'"
                      + " and table_type = 'BASE TABLE'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables)
          .contains(
              "User",
              "App",
              "Requirement",
              "MonetizationModel",
              "Account",
              "Session",
              "VerificationToken");
      assertThat(
              query(
                  c,
                  "select string_agg(migration_name, ',' order by migration_name) from"
                      + " _prisma_migrations where finished_at is not null and rolled_back_at is"
                      + " null"))
          .isEqualTo("20250101000000_init,20250102000000_add_app_status_index");
      // the checksum is Prisma's: SHA-256 of migration.sql as it is on disk
      String sha =
          java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(
                          Files.readAllBytes(
                              project.resolve(
                                  "prisma/migrations/20250101000000_init/migration.sql"))));
      assertThat(
              query(
                  c,
                  "select checksum from _prisma_migrations where migration_name ="
                      + " '20250101000000_init'"))
          .isEqualTo(sha);
      // App's forks: a self reference that sets a fork's parent to NULL when the parent goes
      assertThat(
              query(
                  c, "select confdeltype from pg_constraint where conname = 'App_forkedFrom_fkey'"))
          .isEqualTo("n");
    }
  }

  @Test
  @Order(3)
  void database_url_is_pgbouncer_in_transaction_mode_and_direct_url_the_leader() throws Exception {
    StackEnv env = stack.env();
    Map<String, String> vars = env.variables();
    assertThat(vars.get("DATABASE_URL"))
        .contains(":" + stack.topology().first(dev.strata.core.topology.Kind.POOLER).port() + "/")
        .contains("spike_land_app");
    // both nodes in one URL: what libpq and pgjdbc take, and Prisma does not (the README)
    assertThat(vars.get("DIRECT_URL"))
        .contains("spike_land_owner")
        .containsPattern("@[^/]+:\\d+,[^/]+:\\d+/")
        .contains("target_session_attrs=read-write");
    Map<String, String> config = new HashMap<>();
    try (Connection admin = PoolFigures.connect(monitor(env.pooled()));
        Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SHOW CONFIG")) {
      while (rs.next()) {
        config.put(rs.getString("key"), rs.getString("value"));
      }
    }
    assertThat(config)
        .containsEntry("pool_mode", "transaction")
        .containsEntry("max_client_conn", "1000")
        // PgBouncer 1.21+ keeping prepared statements: why Prisma needs no pgbouncer=true here
        .containsEntry(
            "max_prepared_statements",
            Integer.toString(dev.strata.ops.pgbouncer.PgBouncerBinary.MAX_PREPARED_STATEMENTS));
    // default_pool_size 20 in total: each PgBouncer process of the pooler has its share
    BlueprintSupport.assertPoolTotals(
        config.get("default_pool_size"), BlueprintSupport.poolerProcesses(stack), 20);
    try (Connection c = connect(env.direct())) {
      assertThat(query(c, "select pg_is_in_recovery()")).isEqualTo("f");
    }
  }

  @Test
  @Order(4)
  void node_postgres_reads_the_apps_through_database_url_and_read_database_url() throws Exception {
    NodeClientsIT.install();
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "strata", "node-clients-1");
    Path script = cache.resolve("spike-land-pg.js");
    Files.writeString(
        script,
        """
        const { Client } = require('pg');
        async function count(url) {
          const c = new Client({ connectionString: url });
          await c.connect();
          const r = await c.query(
            'select current_user as who, pg_is_in_recovery() as replica, count(*)::int as apps from "App"');
          await c.end();
          return r.rows[0];
        }
        (async () => {
          const w = await count(process.env.DATABASE_URL);
          const r = await count(process.env.READ_DATABASE_URL);
          console.log(`primary ${w.who} ${w.replica} ${w.apps}`);
          console.log(`read ${r.who} ${r.replica} ${r.apps}`);
        })().catch((e) => { console.error(e); process.exit(1); });
        """);
    Exec node = Exec.of("node", script.toString()).workDir(cache).timeout(Duration.ofMinutes(1));
    stack.env().variables().forEach(node::env);
    Exec.Result run = node.run();
    assertThat(run.ok()).as(run.output()).isTrue();
    assertThat(run.output())
        .contains("primary spike_land_app false 3")
        .contains("read spike_land_app true 3");
  }

  @Test
  @Order(5)
  void the_read_replica_streams_from_the_leader() throws Exception {
    StackEnv env = stack.env();
    assertThat(env.variables()).containsKey("READ_DATABASE_URL");
    // pg_stat_replication's state is shown to pg_monitor's members (the monitoring role)
    try (Connection m = connect(monitor(env.direct()))) {
      assertThat(query(m, "select count(*) from pg_stat_replication where state = 'streaming'"))
          .isEqualTo("1");
    }
    try (Connection c = connect(env.direct())) {
      query(c, "insert into \"User\" (id, name, \"updatedAt\") values ('u_new', 'New', now())");
    }
    PgEndpoint read = env.read();
    assertThat(
            dev.strata.ops.process.Wait.until(
                () -> {
                  try (Connection r = connect(read)) {
                    return "1".equals(query(r, "select count(*) from \"User\" where id = 'u_new'"));
                  } catch (SQLException e) {
                    return false;
                  }
                },
                Duration.ofSeconds(10)))
        .as("the replica has the leader's write")
        .isTrue();
    try (Connection c = connect(env.direct())) {
      query(c, "delete from \"User\" where id = 'u_new'");
    }
  }

  @Test
  @Order(6)
  void the_drill_checked_the_tables_have_rows_and_the_sample_has_the_seeds_counts()
      throws Exception {
    JsonNode drill =
        JSON.readTree(Cli.run(project, "backup", "list", "--json").out()).path("drills").get(0);
    assertThat(drill.path("ok").asBoolean()).isTrue();
    Map<String, String> checks = new HashMap<>();
    drill
        .path("checks")
        .forEach(c -> checks.put(c.path("name").asText(), c.path("detail").asText()));
    // strata.yaml's checks hold in production (rows present, no orphaned fork) ...
    assertThat(checks)
        .containsEntry("users_present", "got t")
        .containsEntry("apps_present", "got t")
        .containsEntry("requirements_present", "got t")
        .containsEntry("forks_have_parents", "got 0");
    assertThat(checks.get("row counts")).contains("8 tables have the source's row count");
    // ... and the exact counts of the sample data, which the drill's row counts compared
    try (Connection c = connect(stack.env().direct())) {
      assertThat(
              query(
                  c,
                  "select (select count(*) from \"User\") || ',' || (select count(*) from \"App\")"
                      + " || ',' || (select count(*) from \"Requirement\")"))
          .isEqualTo("2,3,2");
    }
  }

  @Test
  @Order(7)
  void prometheus_evaluates_the_seeds_five_alerts_at_its_thresholds() throws Exception {
    String prometheus = stack.env().variables().get("PROMETHEUS_URL");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/rules?type=alert"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, String> rules = new HashMap<>();
    JSON.readTree(response.body())
        .path("data")
        .path("groups")
        .forEach(
            g ->
                g.path("rules")
                    .forEach(r -> rules.put(r.path("name").asText(), r.path("query").asText())));
    assertThat(rules.get("PostgresTooManyConnections")).endsWith("* 0.8");
    assertThat(rules.get("PostgresReplicationLag")).isEqualTo("pg_replication_lag > 30");
    assertThat(rules.get("DiskAlmostFull")).endsWith("* 100 > 80");
    assertThat(rules.get("PostgresSlowQueries")).isEqualTo("pg_slow_queries_over_1s > 10");
    assertThat(rules.get("BackupFailed")).isEqualTo("strata_backup_last_success == 0");
    assertThat(rules.get("PgBouncerClientsWaiting")).endsWith("> 20");
  }

  @Test
  @Order(8)
  void gfs_retention_keeps_the_pre_migration_backup_and_expires_what_no_rule_keeps()
      throws Exception {
    List<JsonNode> before = fulls();
    assertThat(before).hasSize(1);
    String kept = before.get(0).path("label").asText();
    assertThat(before.get(0).path("kept").asText()).contains("before migrate up of spike_land");
    for (int i = 0; i < 3; i++) {
      Cli backup = Cli.run(project, "backup", "full");
      assertThat(backup.exitCode()).as(backup.toString()).isZero();
    }
    // four full backups today: the two newest (retention_full), the day's newest (the same),
    // and the kept one stay; the second, which no rule keeps, is expired
    List<String> labels = new ArrayList<>();
    fulls().forEach(b -> labels.add(b.path("label").asText()));
    assertThat(labels).hasSize(3).startsWith(kept);
  }

  private static List<JsonNode> fulls() throws Exception {
    List<JsonNode> fulls = new ArrayList<>();
    JSON.readTree(Cli.run(project, "backup", "list", "--json").out())
        .path("backups")
        .forEach(
            b -> {
              if (b.path("type").asText().equals("full")) {
                fulls.add(b);
              }
            });
    return fulls;
  }

  private static PgEndpoint monitor(PgEndpoint base) {
    String role = stack.spec().security().monitorRole();
    return base.as(
        role, Secrets.open(stack.stateDir().secretsFile()).require(StackEnvs.postgresSecret(role)));
  }

  private static Connection connect(PgEndpoint e) throws SQLException {
    return DriverManager.getConnection(e.jdbcUrl(), e.jdbcProperties());
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (!st.execute(sql)) {
        return null;
      }
      try (ResultSet rs = st.getResultSet()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
