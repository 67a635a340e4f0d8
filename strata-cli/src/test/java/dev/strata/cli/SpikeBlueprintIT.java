package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.core.topology.Kind;
import dev.strata.jdbc.pool.PoolFigures;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.Stack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * examples/spike (seed 000) end to end: its README's session runs as written, then each point the
 * blueprint must show is checked on the stack the README started: PgBouncer's pool, Redis master,
 * replica and Sentinels, the seed's memory settings, Row-Level Security, the Hebrew search, the
 * backups and their drill, strata monitor and the read-only monitoring user.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class SpikeBlueprintIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DocSession session;
  private static Path project;
  private static Stack stack;

  @BeforeAll
  static void runTheReadme() throws Exception {
    session = DocSession.run(DocPage.read(DocSession.CHECKOUT.resolve("examples/spike/README.md")));
    project = session.root().resolve("examples/spike");
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
  void pgbouncer_pools_20_server_connections_in_transaction_mode_behind_database_url()
      throws Exception {
    StackEnv env = stack.env();
    assertThat(env.pooled().port()).isEqualTo(stack.topology().first(Kind.POOLER).port());
    Map<String, String> config = new HashMap<>();
    try (Connection admin = PoolFigures.connect(monitor(env.pooled()));
        Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SHOW CONFIG")) {
      while (rs.next()) {
        config.put(rs.getString("key"), rs.getString("value"));
      }
    }
    assertThat(config).containsEntry("pool_mode", "transaction");
    // 20 in total: each PgBouncer process of the pooler has its share (docs/pooling.md)
    BlueprintSupport.assertPoolTotals(
        config.get("default_pool_size"), BlueprintSupport.poolerProcesses(stack), 20);
  }

  @Test
  @Order(3)
  void redis_runs_a_master_a_replica_and_three_sentinels_that_name_the_master() throws Exception {
    JsonNode status = JSON.readTree(Cli.run(project, "status", "--json").out());
    Map<String, String> roles = new HashMap<>();
    status
        .path("instances")
        .forEach(i -> roles.put(i.path("id").asText(), i.path("role").asText()));
    assertThat(roles)
        .containsEntry("redis-1", "master")
        .containsEntry("redis-2", "replica")
        .containsEntry("sentinel-1", "sentinel")
        .containsEntry("sentinel-2", "sentinel")
        .containsEntry("sentinel-3", "sentinel");
    StackEnv env = stack.env();
    int master = stack.topology().first(Kind.REDIS).port();
    for (String sentinel : env.redis().nodes().sentinels()) {
      Exec.Result r =
          Exec.of(
                  redisCli(
                      env.redis(),
                      sentinel.substring(sentinel.lastIndexOf(':') + 1),
                      false,
                      "SENTINEL",
                      "get-master-addr-by-name",
                      "strata"))
              .run();
      assertThat(r.output()).as(sentinel).contains(Integer.toString(master));
    }
    // a write on the master reaches the replica
    String replicaPort =
        Integer.toString(
            stack.topology().instances().stream()
                .filter(i -> i.id().equals("redis-2"))
                .findFirst()
                .orElseThrow()
                .port());
    Exec.Result set =
        Exec.of(redisCli(env.redis(), Integer.toString(master), true, "SET", "spike:k", "שלום"))
            .run();
    assertThat(set.output()).contains("OK");
    assertThat(
            dev.strata.ops.process.Wait.until(
                () ->
                    Exec.of(redisCli(env.redis(), replicaPort, true, "GET", "spike:k"))
                        .run()
                        .output()
                        .contains("שלום"),
                java.time.Duration.ofSeconds(10)))
        .as("the replica has the master's write")
        .isTrue();
  }

  @Test
  @Order(4)
  void the_seeds_memory_settings_hold_as_floors() throws Exception {
    try (Connection c = owner()) {
      assertThat(query(c, "select pg_size_bytes(current_setting('shared_buffers'))"))
          .isEqualTo(Long.toString(256L << 20));
      assertThat(query(c, "select pg_size_bytes(current_setting('work_mem'))"))
          .isEqualTo(Long.toString(4L << 20));
      assertThat(query(c, "select pg_size_bytes(current_setting('effective_cache_size'))"))
          .isEqualTo(Long.toString(1L << 30));
    }
    // floors, not caps: the same rule on a machine 16 times larger gives more of each
    Map<String, String> large =
        dev.strata.ops.postgres.PostgresTuning.forMemory(
            dev.strata.core.spec.DataSize.ofMegabytes(16 * 1024));
    assertThat(large).containsEntry("shared_buffers", "4096MB");
    assertThat(large).containsEntry("effective_cache_size", "12288MB");
    // and a machine below them (256 MB, the least postgres.memory takes) still gets the seed's
    // values, not a quarter and three quarters of its memory (64 MB, 192 MB)
    Map<String, String> small =
        dev.strata.ops.postgres.PostgresTuning.forMemory(
            dev.strata.core.spec.DataSize.ofMegabytes(256));
    assertThat(small)
        .containsEntry("shared_buffers", "256MB")
        .containsEntry("effective_cache_size", "1024MB")
        .containsEntry("work_mem", "4MB");
  }

  @Test
  @Order(5)
  void row_level_security_keeps_each_institution_to_its_own_rows() throws Exception {
    assertThat(Cli.run(project, "tenancy", "verify").exitCode()).isZero();
    PgEndpoint app = stack.env().pooled();
    try (Connection c = DriverManager.getConnection(app.jdbcUrl(), props(app))) {
      c.setAutoCommit(false);
      assertThat(inTenant(c, "1", "select count(*) from documents")).isEqualTo("3");
      assertThat(inTenant(c, "2", "select count(*) from documents")).isEqualTo("1");
      assertThat(inTenant(c, "2", "select count(*) from enrollments")).isEqualTo("1");
      c.rollback();
      // no tenant: nothing (fail closed)
      assertThat(query(c, "select count(*) from users")).isEqualTo("0");
      c.rollback();
      // tenant 1 cannot write a row for tenant 2
      assertThatThrownBy(
              () ->
                  inTenant(
                      c,
                      "1",
                      "insert into documents (institution_id, title) values (2, 'x') returning id"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("row-level security");
      c.rollback();
    }
  }

  @Test
  @Order(6)
  void hebrew_words_are_found_by_the_full_text_and_trigram_indexes() throws Exception {
    PgEndpoint app = stack.env().pooled();
    try (Connection c = DriverManager.getConnection(app.jdbcUrl(), props(app))) {
      c.setAutoCommit(false);
      String fts =
          "select string_agg(title, ',' order by title) from documents"
              + " where search @@ plainto_tsquery('simple', hebrew_normalize('%s'))";
      assertThat(inTenant(c, "1", fts.formatted("מטלה"))).isEqualTo("מטלה ראשונה");
      // without the normalization the simple configuration keeps the niqqud: no match
      assertThat(
              query(
                  c,
                  "select to_tsvector('simple', 'בְּרֵאשִׁית') @@ plainto_tsquery('simple', 'בראשית')"))
          .isEqualTo("f");
      // the title has niqqud, the query has none
      assertThat(inTenant(c, "1", fts.formatted("בראשית"))).isEqualTo("בְּרֵאשִׁית");
      // and the other way round
      assertThat(inTenant(c, "1", fts.formatted("הָאָרֶץ"))).isEqualTo("בְּרֵאשִׁית,סילבוס הקורס");
      // a word glued to its prefix (הספר, בספרייה) is not the word ספר: the trigram index finds it
      assertThat(inTenant(c, "1", fts.formatted("ספר"))).isNull();
      assertThat(
              inTenant(
                  c,
                  "1",
                  "select string_agg(title, ',' order by title) from documents"
                      + " where hebrew_normalize(title || ' ' || body) ilike '%ספר%'"))
          .isEqualTo("מטלה ראשונה,סילבוס הקורס");
      c.rollback();
    }
    // the application's roles: @@ and ILIKE are not LEAKPROOF, so under Row-Level Security they
    // filter after the tenant policy (even with sequential scans off): the tenant index narrows
    // the rows, neither GIN index is used. spike_tenant_admin is bound by the same policy.
    String fts =
        "select id from documents where search @@ plainto_tsquery('simple', hebrew_normalize('מטלה'))";
    String trgm =
        "select id from documents where hebrew_normalize(title || ' ' || body) ilike '%ספרייה%'";
    for (String role : List.of("spike_app", "spike_tenant_admin")) {
      for (String sql : List.of(fts, trgm)) {
        String plan = plan("set local role " + role + ";", sql);
        assertThat(plan)
            .as(role + ": " + sql)
            .contains("Index Scan on documents_institution_id_tenant_idx")
            .containsPattern("Filter: .*(@@|~~\\*)")
            .doesNotContain("idx_documents_search")
            .doesNotContain("idx_documents_trgm");
      }
    }
    // RLS does not bind the superuser: there each search has its GIN index
    assertThat(plan("", fts)).contains("idx_documents_search");
    assertThat(plan("", trgm)).contains("idx_documents_trgm");
  }

  @Test
  @Order(7)
  void hebrew_normalize_keeps_acronyms_whole_and_folds_final_letters() throws Exception {
    try (Connection c = owner()) {
      // gershayim, typed as U+05F4 or as the ASCII quote: one word, not צה and ל
      assertThat(query(c, "select hebrew_normalize('צה\"ל') || ',' || hebrew_normalize('צה״ל')"))
          .isEqualTo("צהל,צהל");
      assertThat(query(c, "select to_tsvector('simple', hebrew_normalize('דובר צה\"ל'))::text"))
          .isEqualTo("'דובר':1 'צהל':2");
      // a quote that is not between two letters stays (the simple parser drops it)
      assertThat(query(c, "select hebrew_normalize('\"שלום\" ג׳ירפה')"))
          .isEqualTo("\"שלומ\" גירפה");
      // the stem typed with its final letter (מלך) is found inside its inflected form (מלכים)
      assertThat(
              query(
                  c,
                  "select (hebrew_normalize('מלכים') ilike '%' || hebrew_normalize('מלך') || '%')"
                      + " || ',' || ('מלכים' ilike '%מלך%')"))
          .isEqualTo("true,false");
    }
  }

  /**
   * The plan of {@code sql} in a transaction of the tenant 1, after {@code setup}, seqscans off.
   */
  private static String plan(String setup, String sql) {
    List<String> psql = new ArrayList<>(stack.superuserPsql("spike"));
    psql.addAll(
        List.of(
            "-Atc",
            "begin; "
                + setup
                + " select set_config('app.current_institution_id', '1', true);"
                + " set local enable_seqscan = off; explain "
                + sql
                + "; rollback"));
    Exec.Result r = Exec.of(psql).run();
    assertThat(r.ok()).as(r.output()).isTrue();
    return r.output();
  }

  @Test
  @Order(8)
  void a_nightly_full_backup_and_a_weekly_drill_are_scheduled_and_the_drill_passed()
      throws Exception {
    Cli agent = Cli.run(project, "agent", "status");
    assertThat(agent.out())
        .containsPattern("backup-full +0 2 \\* \\* \\* ")
        .containsPattern("drill +30 2 \\* \\* sun ");
    JsonNode list = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    JsonNode drill = list.path("drills").get(0);
    assertThat(drill.path("ok").asBoolean()).isTrue();
    List<String> checks = new ArrayList<>();
    drill.path("checks").forEach(ch -> checks.add(ch.path("name").asText()));
    assertThat(checks)
        .contains("pg_amcheck", "row counts", "institutions_present", "search_index_valid");
  }

  @Test
  @Order(9)
  void strata_monitor_reports_what_monitor_sh_did() throws Exception {
    // lookups for the hit ratio to judge (under 1000 it says "too few"): 1000 hits of spike:k,
    // 1000 misses of a key nobody wrote, so the ratio is 50%
    String master = Integer.toString(stack.topology().first(Kind.REDIS).port());
    for (String key : List.of("spike:k", "spike:absent")) {
      Exec.Result r =
          Exec.of(redisCli(stack.env().redis(), master, true, "-r", "1000", "GET", key)).run();
      assertThat(r.ok()).as(r.output()).isTrue();
    }
    Cli monitor = Cli.run(project, "monitor", "--json");
    assertThat(monitor.exitCode()).as(monitor.toString()).isZero();
    List<String> sections = new ArrayList<>();
    Map<String, String> values = new HashMap<>();
    JSON.readTree(monitor.out())
        .path("sections")
        .forEach(
            s -> {
              sections.add(s.path("name").asText());
              s.path("findings")
                  .forEach(f -> values.put(f.path("check").asText(), f.path("value").asText()));
            });
    // monitor.sh: connections, slow queries, table sizes, index usage, locks, Redis memory,
    // keys, hit ratio and replication (the seed's system metrics: not checked, see the README)
    assertThat(sections)
        .contains(
            "connections", "slow_queries", "tables", "indexes", "locks", "replication", "redis");
    assertThat(values).containsEntry("redis_replication", "master, 1 replicas");
    assertThat(values).containsKey("redis_memory");
    // the key count and the hit ratio are one check: "<n> keys, <p>% hits"
    java.util.regex.Matcher hit =
        java.util.regex.Pattern.compile("^(\\d+) keys, ([\\d.]+)% hits$")
            .matcher(values.get("redis_hit_ratio"));
    assertThat(hit.find()).as(values.get("redis_hit_ratio")).isTrue();
    assertThat(Integer.parseInt(hit.group(1))).isPositive();
    assertThat(Double.parseDouble(hit.group(2))).isBetween(45.0, 55.0);
  }

  @Test
  @Order(10)
  void the_monitoring_user_reads_statistics_and_no_data() throws Exception {
    PgEndpoint monitor = monitor(stack.env().direct());
    try (Connection c = DriverManager.getConnection(monitor.jdbcUrl(), props(monitor))) {
      assertThat(query(c, "select count(*) > 0 from pg_stat_activity where query <> ''"))
          .isEqualTo("t");
      assertThat(query(c, "select count(*) > 0 from pg_stat_statements")).isEqualTo("t");
      assertThatThrownBy(() -> query(c, "select count(*) from documents"))
          .hasMessageContaining("permission denied for table documents");
      assertThatThrownBy(() -> query(c, "create table spy (a int)"))
          .hasMessageContaining("permission denied for schema public");
      assertThat(
              query(
                  c, "select rolsuper or rolbypassrls from pg_roles where rolname = current_user"))
          .isEqualTo("f");
    }
  }

  @Test
  @Order(11)
  void daily_retention_expires_a_full_backup_that_is_neither_recent_nor_its_days_newest()
      throws Exception {
    // retention_full 2 and retention_daily 30: of three full backups of one day, the first is
    // neither among the newest two nor the day's newest, so Strata expires it (pgBackRest's own
    // count is set to its maximum and would keep all three)
    String first = labels().get(0);
    assertThat(Cli.run(project, "backup", "full").exitCode()).isZero();
    assertThat(Cli.run(project, "backup", "full").exitCode()).isZero();
    List<String> after = labels();
    assertThat(after).hasSize(2).doesNotContain(first);
  }

  private static List<String> labels() throws Exception {
    List<String> labels = new ArrayList<>();
    JSON.readTree(Cli.run(project, "backup", "list", "--json").out())
        .path("backups")
        .forEach(
            b -> {
              if (b.path("type").asText().equals("full")) {
                labels.add(b.path("label").asText());
              }
            });
    return labels;
  }

  private static PgEndpoint monitor(PgEndpoint base) {
    String role = stack.spec().security().monitorRole();
    return base.as(
        role, Secrets.open(stack.stateDir().secretsFile()).require(StackEnvs.postgresSecret(role)));
  }

  private static Connection owner() throws SQLException {
    PgEndpoint e = stack.env().direct();
    return DriverManager.getConnection(e.jdbcUrl(), props(e));
  }

  private static java.util.Properties props(PgEndpoint e) {
    return e.jdbcProperties();
  }

  private static List<String> redisCli(
      RedisEndpoint redis, String port, boolean login, String... command) {
    List<String> cli = new ArrayList<>(List.of(stack.tools().redisCli().toString()));
    cli.addAll(List.of("-h", redis.host(), "-p", port, "--no-auth-warning"));
    if (redis.tls()) {
      cli.addAll(List.of("--tls", "--cacert", redis.caFile().toString()));
    }
    if (login) {
      cli.addAll(List.of("--user", redis.user(), "--pass", redis.password()));
    }
    cli.addAll(List.of(command));
    return cli;
  }

  private static String inTenant(Connection c, String tenant, String sql) throws SQLException {
    try (var ps = c.prepareStatement("select set_config('app.current_institution_id', ?, true)")) {
      ps.setString(1, tenant);
      ps.execute();
    }
    return query(c, sql);
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
