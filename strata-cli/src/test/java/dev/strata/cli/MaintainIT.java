package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.ops.advisor.Maintenance;
import dev.strata.ops.advisor.MaintenanceAction;
import dev.strata.ops.advisor.MaintenanceReport;
import dev.strata.ops.process.Wait;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code strata maintain} on a real stack with a bloated table and planted indexes. */
@StrataTest(yaml = "advisor:\n  redis_big_key: 1mb\n  bloat_min_size: 256kb\n")
final class MaintainIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static long scalar(StrataStack stack, String sql) throws SQLException {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long dead(StrataStack stack, String table) {
    try {
      return scalar(
          stack,
          "SELECT coalesce(n_dead_tup, 0) FROM pg_stat_user_tables WHERE relname = '"
              + table
              + "'");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean indexExists(StrataStack stack, String index) throws SQLException {
    return scalar(stack, "SELECT count(*) FROM pg_indexes WHERE indexname = '" + index + "'") == 1;
  }

  private static List<JsonNode> actions(JsonNode report, String kind, String target) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode a : report.get("actions")) {
      if (a.get("kind").asText().equals(kind) && a.get("target").asText().equals(target)) {
        found.add(a);
      }
    }
    return found;
  }

  private static JsonNode maintain(StrataStack stack, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("maintain", "--json"));
    args.addAll(List.of(options));
    Cli run = Cli.run(stack.home(), args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return JSON.readTree(run.out());
  }

  @Test
  void a_bloated_table_is_vacuumed_and_its_dead_rows_drop(StrataStack stack) throws Exception {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE mt_bloat (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false)");
      s.execute("INSERT INTO mt_bloat SELECT g, 'row ' || g FROM generate_series(1, 20000) g");
      s.execute("UPDATE mt_bloat SET v = v || ' changed'");
      s.execute("DELETE FROM mt_bloat WHERE id % 2 = 0");
    }
    // the statistics reach the shared counters when the session ends
    assertThat(Wait.until(() -> dead(stack, "mt_bloat") >= 20000, Duration.ofSeconds(30))).isTrue();
    long before = dead(stack, "mt_bloat");

    JsonNode dry = maintain(stack, "--dry-run");
    assertThat(dry.get("dry_run").asBoolean()).isTrue();
    JsonNode planned = actions(dry, "vacuum", "app.public.mt_bloat").get(0);
    assertThat(planned.get("outcome").asText()).isEqualTo("planned");
    assertThat(planned.get("command").asText())
        .isEqualTo("VACUUM (ANALYZE) \"public\".\"mt_bloat\"");
    assertThat(planned.get("reason").asText())
        .contains("dead rows")
        .contains("advisor.dead_tuples_percent");
    assertThat(dead(stack, "mt_bloat")).isEqualTo(before); // a dry run changes nothing

    JsonNode done = actions(maintain(stack), "vacuum", "app.public.mt_bloat").get(0);
    assertThat(done.get("outcome").asText()).isEqualTo("done");
    assertThat(done.get("before").get("dead_rows").asLong()).isGreaterThanOrEqualTo(20000);
    assertThat(done.get("after").get("dead_rows").asLong()).isLessThan(1000);
    assertThat(dead(stack, "mt_bloat")).isLessThan(1000);
    // vacuumed: nothing left to do for it
    assertThat(actions(maintain(stack, "--dry-run"), "vacuum", "app.public.mt_bloat")).isEmpty();
  }

  @Test
  void a_duplicate_index_is_reported_and_dropped_only_with_apply(StrataStack stack)
      throws Exception {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE mt_orders (id bigint PRIMARY KEY, customer bigint)");
      s.execute("CREATE INDEX mt_orders_customer ON mt_orders (customer)");
      s.execute("CREATE INDEX mt_orders_customer_dup ON mt_orders (customer)");
    }
    JsonNode reported =
        actions(maintain(stack), "drop_index", "app.public.mt_orders_customer_dup").get(0);
    assertThat(reported.get("outcome").asText()).isEqualTo("reported");
    assertThat(reported.get("reason").asText())
        .contains("duplicates mt_orders_customer")
        .contains("--apply");
    assertThat(indexExists(stack, "mt_orders_customer_dup")).isTrue();
    // the one kept is not dropped as unused
    assertThat(actions(maintain(stack), "drop_index", "app.public.mt_orders_customer")).isEmpty();

    assertThat(
            actions(
                    maintain(stack, "--apply", "--dry-run"),
                    "drop_index",
                    "app.public.mt_orders_customer_dup")
                .get(0)
                .get("outcome")
                .asText())
        .isEqualTo("planned");
    assertThat(indexExists(stack, "mt_orders_customer_dup")).isTrue();

    JsonNode dropped =
        actions(maintain(stack, "--apply"), "drop_index", "app.public.mt_orders_customer_dup")
            .get(0);
    assertThat(dropped.get("outcome").asText()).isEqualTo("done");
    assertThat(dropped.get("command").asText())
        .isEqualTo("DROP INDEX CONCURRENTLY \"public\".\"mt_orders_customer_dup\"");
    assertThat(dropped.get("before").get("bytes").asLong()).isPositive();
    assertThat(indexExists(stack, "mt_orders_customer_dup")).isFalse();
    assertThat(indexExists(stack, "mt_orders_customer")).isTrue();
  }

  @Test
  void a_bloated_index_is_rebuilt_concurrently_and_shrinks(StrataStack stack) throws Exception {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE mt_events (id int, kind int) WITH (autovacuum_enabled = false)");
      s.execute("INSERT INTO mt_events SELECT g, g % 1000 FROM generate_series(1, 100000) g");
      s.execute("CREATE INDEX mt_events_id ON mt_events (id)");
      s.execute("SELECT count(*) FROM mt_events WHERE id = 5"); // scanned: not unused
      s.execute("DELETE FROM mt_events WHERE id % 10 <> 0");
      // the index keeps its pages after VACUUM; its rows are a tenth of them
      s.execute("VACUUM (ANALYZE) mt_events");
    }
    JsonNode report = maintain(stack);
    JsonNode reindex = actions(report, "reindex", "app.public.mt_events_id").get(0);
    assertThat(reindex.get("outcome").asText()).as(reindex.toString()).isEqualTo("done");
    assertThat(reindex.get("command").asText())
        .isEqualTo("REINDEX INDEX CONCURRENTLY \"public\".\"mt_events_id\"");
    assertThat(reindex.get("reason").asText())
        .contains("estimated bloat")
        .contains("advisor.bloat_percent");
    long before = reindex.get("before").get("bytes").asLong();
    long after = reindex.get("after").get("bytes").asLong();
    assertThat(after).isPositive().isLessThan(before / 2);
    // rebuilt: nothing left to do for it
    assertThat(actions(maintain(stack, "--dry-run"), "reindex", "app.public.mt_events_id"))
        .isEmpty();
  }

  @Test
  void a_table_past_the_xid_age_threshold_is_frozen(StrataStack stack) throws Exception {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE mt_old (id int PRIMARY KEY)");
      s.execute("INSERT INTO mt_old SELECT generate_series(1, 100)");
      for (int i = 0; i < 1500; i++) {
        s.execute("SELECT txid_current()"); // each autocommitted statement takes a new XID
      }
    }
    Path strict = stack.home().resolve("xid.yaml");
    Files.writeString(
        strict,
        Files.readString(stack.home().resolve("strata.yaml"))
            .replace("advisor:\n", "advisor:\n  xid_age_warn: 1000\n"));
    Cli run = Cli.run(stack.home(), "-f", "xid.yaml", "maintain", "--json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode frozen = actions(JSON.readTree(run.out()), "vacuum", "app.public.mt_old").get(0);
    assertThat(frozen.get("outcome").asText()).isEqualTo("done");
    assertThat(frozen.get("reason").asText())
        .contains("transaction ID age")
        .contains("advisor.xid_age_warn");
    assertThat(frozen.get("command").asText())
        .isEqualTo("VACUUM (FREEZE, ANALYZE) \"public\".\"mt_old\"");
    assertThat(frozen.get("before").get("xid_age").asLong()).isGreaterThanOrEqualTo(1500);
    assertThat(frozen.get("after").get("xid_age").asLong()).isLessThan(1000);
  }

  @Test
  void a_big_redis_key_is_reported_not_deleted(StrataStack stack) throws Exception {
    RedisClient client =
        StackSecurityIT.client(stack.env().redis(), RedisURI.create(stack.env().redis().url()));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().set("mt:big", "x".repeat(2 * 1024 * 1024));
      MaintenanceReport report = new Maintenance(stack.stack()).run(false);
      List<MaintenanceAction> big =
          report.actions("report").stream()
              .filter(a -> a.target().equals("redis key mt:big"))
              .toList();
      assertThat(big).hasSize(1);
      assertThat(big.get(0).outcome()).isEqualTo(MaintenanceAction.Outcome.REPORTED);
      assertThat(big.get(0).reason()).contains("advisor.redis_big_key");
      assertThat(c.sync().exists("mt:big")).isEqualTo(1);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void the_text_report_gives_each_action_its_reason_and_figures(StrataStack stack)
      throws Exception {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE mt_text (id bigint PRIMARY KEY, sku text)");
      s.execute("CREATE INDEX mt_text_sku ON mt_text (sku)");
      s.execute("CREATE INDEX mt_text_sku_2 ON mt_text (sku)");
    }
    Cli run = Cli.run(stack.home(), "maintain", "--dry-run");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("reported drop_index app.public.mt_text_sku_2")
        .contains("  why: duplicates mt_text_sku")
        .contains("  command: DROP INDEX CONCURRENTLY \"public\".\"mt_text_sku_2\"")
        .contains("  before: bytes ")
        .contains("dry run: nothing was changed");
  }
}
