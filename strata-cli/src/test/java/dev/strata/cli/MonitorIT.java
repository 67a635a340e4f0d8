package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.topology.Kind;
import dev.strata.ops.advisor.AdvisorMetrics;
import dev.strata.ops.process.Wait;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@code strata monitor} and the advisor's metrics on a real stack with planted problems. */
@StrataTest(yaml = "advisor:\n  redis_big_key: 1mb\n")
final class MonitorIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode report(StrataStack stack, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of(extra));
    args.add("monitor");
    args.add("--json");
    Cli run = Cli.run(stack.home(), args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.toString()).isIn(0, 1);
    return JSON.readTree(run.out());
  }

  private static JsonNode section(JsonNode report, String name) {
    for (JsonNode s : report.get("sections")) {
      if (s.get("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no section " + name + " in " + report);
  }

  private static List<JsonNode> findings(JsonNode report, String check) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode s : report.get("sections")) {
      for (JsonNode f : s.get("findings")) {
        if (f.get("check").asText().equals(check)) {
          found.add(f);
        }
      }
    }
    return found;
  }

  @Test
  void json_report_has_every_section_with_verdicts_and_thresholds(StrataStack stack)
      throws Exception {
    Cli run = Cli.run(stack.home(), "monitor", "--json");
    assertThat(run.exitCode()).as(run.toString()).isZero(); // warnings only on a fresh stack
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.get("at").asText()).isNotEmpty();
    assertThat(report.get("verdict").asText()).isIn("ok", "warn");
    Set<String> names = new TreeSet<>();
    for (JsonNode s : report.get("sections")) {
      names.add(s.get("name").asText());
      assertThat(s.get("verdict").asText()).isIn("ok", "warn", "critical");
      assertThat(s.get("rows").isArray()).isTrue();
      assertThat(s.get("findings").size()).as(s.toString()).isPositive();
      for (JsonNode f : s.get("findings")) {
        assertThat(f.fieldNames())
            .toIterable()
            .containsExactly("check", "subject", "verdict", "value", "threshold", "detail");
        assertThat(f.get("verdict").asText()).isNotEqualTo("critical");
      }
    }
    assertThat(names)
        .contains(
            "connections",
            "slow_queries",
            "tables",
            "indexes",
            "locks",
            "replication",
            "xid_age",
            "cache",
            "redis",
            "redis_big_keys",
            "tenancy",
            "migrations",
            "backups");
    JsonNode connections = section(report, "connections").get("findings").get(0);
    assertThat(connections.get("threshold").asText()).contains("advisor.connections_warn");
    // strata-test turns backups off: that is a warning with its fix
    assertThat(findings(report, "backup").get(0).get("value").asText()).contains("backups are off");
  }

  @Test
  void a_planted_duplicate_index_is_reported(StrataStack stack) throws Exception {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE mon_orders (id bigint PRIMARY KEY, customer bigint)");
      s.execute("CREATE INDEX mon_orders_customer ON mon_orders (customer)");
      s.execute("CREATE INDEX mon_orders_customer_again ON mon_orders (customer)");
    }
    List<JsonNode> duplicates = findings(report(stack), "duplicate_index");
    assertThat(duplicates)
        .extracting(f -> f.get("subject").asText())
        .containsExactly("app.public.mon_orders_customer_again");
    assertThat(duplicates.get(0).get("value").asText()).contains("mon_orders_customer ");
    assertThat(duplicates.get(0).get("verdict").asText()).isEqualTo("warn");
  }

  @Test
  void a_slow_statement_shows_in_slow_queries(StrataStack stack) throws Exception {
    try (Connection c = stack.connect(stack.env().pooled());
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_sleep(0.3) AS mon_slow_marker");
    }
    JsonNode slow = section(report(stack), "slow_queries");
    assertThat(slow.get("verdict").asText()).isEqualTo("warn");
    assertThat(slow.get("rows").toString()).contains("pg_sleep").contains("mon_slow_marker");
    assertThat(slow.get("findings").get(0).get("threshold").asText())
        .contains("advisor.slow_query");
  }

  @Test
  void a_blocking_lock_shows_its_chain(StrataStack stack) throws Exception {
    try (Connection setup = stack.connect(stack.env().direct());
        Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE mon_locked (id int PRIMARY KEY)");
      s.execute("INSERT INTO mon_locked VALUES (1)");
    }
    try (Connection holder = stack.connect(stack.env().direct());
        Connection waiter = stack.connect(stack.env().direct())) {
      holder.setAutoCommit(false);
      int holderPid;
      try (Statement s = holder.createStatement()) {
        s.execute("UPDATE mon_locked SET id = 1 WHERE id = 1");
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()");
        rs.next();
        holderPid = rs.getInt(1);
      }
      CompletableFuture<Void> blocked =
          CompletableFuture.runAsync(
              () -> {
                try (Statement s = waiter.createStatement()) {
                  s.execute("UPDATE mon_locked SET id = 1 WHERE id = 1");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(
              Wait.until(
                  () ->
                      !findings(reportQuietly(stack), "blocking")
                          .get(0)
                          .get("verdict")
                          .asText()
                          .equals("ok"),
                  Duration.ofSeconds(30)))
          .isTrue();
      JsonNode blocking = findings(report(stack), "blocking").get(0);
      assertThat(blocking.get("verdict").asText()).isEqualTo("warn");
      assertThat(blocking.get("value").asText()).contains("[" + holderPid + "]");
      assertThat(blocking.get("detail").asText())
          .contains("blocking chain")
          .contains(holderPid + " (idle in transaction)");
      holder.rollback();
      blocked.get();
    }
    assertThat(findings(report(stack), "blocking").get(0).get("verdict").asText()).isEqualTo("ok");
  }

  private static JsonNode reportQuietly(StrataStack stack) {
    try {
      return report(stack);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_big_redis_key_is_found(StrataStack stack) throws Exception {
    RedisClient client =
        StackSecurityIT.client(stack.env().redis(), RedisURI.create(stack.env().redis().url()));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().set("mon:big", "x".repeat(2 * 1024 * 1024));
      c.sync().set("mon:small", "x");
    } finally {
      client.shutdown();
    }
    List<JsonNode> big = findings(report(stack), "redis_big_key");
    assertThat(big).extracting(f -> f.get("subject").asText()).containsExactly("mon:big");
    assertThat(big.get(0).get("value").asText()).startsWith("string, ");
    assertThat(section(report(stack), "redis_big_keys").get("rows").get(0).get("bytes").asLong())
        .isGreaterThanOrEqualTo(2 * 1024 * 1024);
    assertThat(big.get(0).get("threshold").asText()).contains("advisor.redis_big_key");
  }

  @Test
  void a_critical_check_exits_1_and_the_text_report_says_why(StrataStack stack) throws Exception {
    Path strict = stack.home().resolve("strict.yaml");
    Files.writeString(
        strict,
        Files.readString(stack.home().resolve("strata.yaml"))
            .replace("advisor:\n", "advisor:\n  connections_warn: 1\n  connections_critical: 1\n"));
    Cli run = Cli.run(stack.home(), "-f", "strict.yaml", "monitor");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out())
        .contains("connections: critical")
        .contains("critical at 1%")
        .contains("route applications through the pool");
  }

  @Test
  void a_stopped_redis_is_critical_with_its_reason_and_the_other_checks_still_run(StrataStack stack)
      throws Exception {
    stack.stop(Kind.REDIS);
    try {
      Cli run = Cli.run(stack.home(), "monitor", "--json");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      JsonNode report = JSON.readTree(run.out());
      assertThat(report.get("verdict").asText()).isEqualTo("critical");
      JsonNode redis = section(report, "redis");
      assertThat(redis.get("verdict").asText()).isEqualTo("critical");
      assertThat(redis.get("findings").get(0).get("detail").asText())
          .contains("cannot connect to Redis")
          .contains("strata status");
      assertThat(section(report, "connections").get("verdict").asText()).isEqualTo("ok");
    } finally {
      stack.start(Kind.REDIS);
    }
  }

  @Test
  void watch_prints_the_report_again(StrataStack stack) {
    Cli run = Cli.run(stack.home(), "monitor", "--watch", "1", "--count", "2");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out().split("strata monitor at ", -1)).hasSize(3);
  }

  @Test
  void advisor_metrics_serve_the_documented_names_with_real_values(StrataStack stack)
      throws Exception {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE met_items (id bigint PRIMARY KEY, sku text)");
      s.execute("CREATE INDEX met_items_sku ON met_items (sku)");
      s.execute("CREATE INDEX met_items_sku_copy ON met_items (sku)");
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AdvisorMetrics metrics = new AdvisorMetrics(stack.stack(), Duration.ofHours(1))) {
      metrics.bindTo(registry);
      metrics.refresh();
      Set<String> names = new TreeSet<>();
      for (Meter m : registry.getMeters()) {
        names.add(NamingConvention.snakeCase.name(m.getId().getName(), m.getId().getType()));
      }
      assertThat(names)
          .contains(
              "strata_xid_age",
              "strata_slow_queries",
              "strata_bloat_bytes",
              "strata_bloated_relations",
              "strata_unused_indexes",
              "strata_duplicate_indexes",
              "strata_tenancy_findings",
              "strata_advisor_up",
              "strata_advisor_refresh_seconds");
      assertThat(registry.get("strata.duplicate.indexes").tag("database", "app").gauge().value())
          .isGreaterThanOrEqualTo(1);
      assertThat(registry.get("strata.xid.age").tag("database", "app").gauge().value())
          .isPositive();
      assertThat(registry.get("strata.slow.queries").tag("over_ms", "100").gauge().value())
          .isGreaterThanOrEqualTo(0);
      assertThat(registry.get("strata.advisor.up").gauge().value()).isEqualTo(1);
      double before =
          registry.get("strata.duplicate.indexes").tag("database", "app").gauge().value();
      try (Connection c = stack.connect(stack.env().direct());
          Statement s = c.createStatement()) {
        s.execute("DROP INDEX met_items_sku_copy");
      }
      metrics.refresh();
      assertThat(registry.get("strata.duplicate.indexes").tag("database", "app").gauge().value())
          .isEqualTo(before - 1);
    }
  }
}
