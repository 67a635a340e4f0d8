package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class SpecLoaderTest {

  private static StrataSpec parse(String yaml) {
    return SpecLoader.parse(yaml, "strata.yaml", Map.of("PG_PORT", "7000", "EMPTY", "")::get);
  }

  private static SpecException failure(String yaml) {
    try {
      parse(yaml);
    } catch (SpecException e) {
      return e;
    }
    throw new AssertionError("expected a SpecException for:\n" + yaml);
  }

  @Test
  void empty_file_gives_every_default() {
    StrataSpec spec = parse("");
    assertThat(spec.postgres().port()).isEqualTo(5432);
    assertThat(spec.postgres().databases()).containsExactly("app");
    assertThat(spec.pooler().mode()).isEqualTo("transaction");
    assertThat(spec.pooler().defaultPoolSize()).isEqualTo(20);
    assertThat(spec.redis().policy()).isEqualTo("allkeys-lru");
    assertThat(spec.redis().persistence()).isEqualTo("aof+rdb");
    assertThat(spec.security().tls()).isTrue();
    assertThat(spec.security().bind()).isEqualTo("127.0.0.1");
    assertThat(spec.security().appRole("shop")).isEqualTo("shop_app");
  }

  @Test
  void values_are_read_with_their_types() {
    StrataSpec spec =
        parse(
            """
            postgres:
              port: 0
              databases: [shop, billing]
              settings:
                max_connections: 200
              memory: 2gb
            redis:
              maxmemory: 64mb
              persistence: rdb
            """);
    assertThat(spec.postgres().port()).isZero();
    assertThat(spec.postgres().databases()).containsExactly("shop", "billing");
    assertThat(spec.postgres().settings()).containsEntry("max_connections", "200");
    assertThat(spec.postgres().memory()).contains(DataSize.ofMegabytes(2048));
    assertThat(spec.redis().maxmemory()).isEqualTo(DataSize.ofMegabytes(64));
    assertThat(spec.redis().appendOnly()).isFalse();
  }

  @Test
  void environment_variables_are_expanded_with_defaults() {
    StrataSpec spec = parse("postgres:\n  port: ${PG_PORT}\npooler:\n  port: ${NOPE:-7001}\n");
    assertThat(spec.postgres().port()).isEqualTo(7000);
    assertThat(spec.pooler().port()).isEqualTo(7001);
  }

  @Test
  void unset_environment_variable_names_it_and_its_location() {
    SpecException e = failure("redis:\n  port: ${REDIS_PORT}\n");
    assertThat(e.getMessage())
        .isEqualTo(
            "strata.yaml:2:9: redis.port: environment variable REDIS_PORT is not set: export it, or"
                + " write ${REDIS_PORT:-default}");
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
  }

  @Test
  void unknown_key_suggests_the_closest_and_lists_allowed() {
    SpecException e = failure("postgres:\n  prot: 5432\n");
    assertThat(e.getMessage())
        .startsWith("strata.yaml:2:3: postgres.prot: unknown key 'prot': did you mean 'port'?")
        .contains(
            "allowed: bin_dir, databases, etcd_members, extensions, memory, nodes, port, rto,"
                + " settings, synchronous");
  }

  @Test
  void an_rto_outside_what_patroni_can_keep_is_refused() {
    assertThat(failure("postgres:\n  rto: 2s\n").getMessage())
        .contains("postgres.rto")
        .contains("2s is out of range: expected a duration from 5s to 5min");
    assertThat(failure("postgres:\n  nodes: 0\n").getMessage())
        .contains("postgres.nodes")
        .contains("out of range");
  }

  @Test
  void unknown_section_is_refused() {
    assertThat(failure("mysql:\n  port: 3306\n").getMessage())
        .startsWith("strata.yaml:1:1: mysql: unknown section 'mysql'");
  }

  @Test
  void out_of_range_port_says_what_is_allowed() {
    assertThat(failure("postgres:\n  port: 70000\n").getMessage())
        .isEqualTo(
            "strata.yaml:2:9: postgres.port: 70000 is out of range: expected a port from 0 to"
                + " 65535 (0 picks a free port)");
  }

  @Test
  void wrong_type_is_refused_with_the_value() {
    assertThat(failure("pooler:\n  default_pool_size: lots\n").getMessage())
        .isEqualTo(
            "strata.yaml:2:22: pooler.default_pool_size: 'lots' is not an integer from 1 to"
                + " 10000");
    assertThat(failure("postgres:\n  databases: app\n").getMessage())
        .contains("postgres.databases: expected a list of");
  }

  @Test
  void bad_item_in_a_list_points_at_the_item() {
    assertThat(failure("postgres:\n  databases:\n    - shop\n    - Bad-Name\n").getMessage())
        .startsWith("strata.yaml:4:7: postgres.databases: 'Bad-Name' is not a lower-case SQL name");
  }

  @Test
  void every_problem_is_reported_at_once() {
    SpecException e = failure("postgres:\n  port: x\nredis:\n  policy: lru\n");
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems().get(1).toString())
        .startsWith("strata.yaml:4:11: redis.policy: 'lru' is not one of allkeys-lru");
  }

  @Test
  void same_port_twice_is_refused() {
    assertThat(failure("postgres:\n  port: 7000\nredis:\n  port: 7000\n").getMessage())
        .isEqualTo(
            "strata.yaml:4:9: redis.port: port 7000 is also postgres.port: give each server its"
                + " own port");
  }

  @Test
  void port_zero_may_repeat() {
    assertThat(parse("postgres:\n  port: 0\npooler:\n  port: 0\n").pooler().port()).isZero();
  }

  @Test
  void duplicate_key_is_refused() {
    assertThat(failure("postgres:\n  port: 1\n  port: 2\n").getMessage()).contains("port");
  }

  @Test
  void invalid_yaml_gives_its_location() {
    assertThat(failure("postgres:\n  port: [1,\n").getMessage()).startsWith("strata.yaml:");
  }

  @Test
  void role_template_needs_the_database_placeholder() {
    assertThat(failure("security:\n  app_role: app\n").getMessage())
        .contains("security.app_role: 'app' lacks {db}");
  }

  @Test
  void auto_means_empty() {
    assertThat(parse("postgres:\n  memory: auto\n").postgres().memory())
        .isEqualTo(Optional.empty());
  }

  @Test
  void template_parses_back_to_the_defaults() {
    assertThat(parse(SpecTemplate.render())).isEqualTo(parse(""));
    assertThat(SpecTemplate.render())
        .contains("  # TCP port PostgreSQL listens on.")
        .contains("  port: 5432");
  }

  @Test
  void reserved_database_names_are_refused() {
    assertThat(failure("postgres:\n  databases: [pgbouncer]\n").getMessage()).contains("reserved");
    assertThat(List.of(parse("postgres:\n  databases: [a, b]\n").postgres().primaryDatabase()))
        .containsExactly("a");
  }

  @Test
  void tenancy_defaults_find_tenant_tables_automatically() {
    TenancySpec t = parse("").tenancy();
    assertThat(t.column()).isEqualTo("tenant_id");
    assertThat(t.autoTables()).isTrue();
    assertThat(t.tenantSetting()).isEqualTo("app.current_tenant");
    assertThat(t.roleSetting()).isEqualTo("app.current_role");
    assertThat(t.adminRole()).isEqualTo("{db}_tenant_admin");
    assertThat(t.schema()).isEqualTo("public");
  }

  @Test
  void tenancy_takes_the_seed_names_and_listed_tables() {
    TenancySpec t =
        parse(
                """
                tenancy:
                  column: customer_id
                  columns: {customers: id}
                  tables: [sites, deployments, customers]
                  tenant_setting: app.current_customer_id
                  role_setting: app.current_user_role
                  admin_role: administrator
                """)
            .tenancy();
    assertThat(t.tables()).contains(List.of("sites", "deployments", "customers"));
    assertThat(t.columnOf("customers")).isEqualTo("id");
    assertThat(t.columnOf("sites")).isEqualTo("customer_id");
    assertThat(t.tenantSetting()).isEqualTo("app.current_customer_id");
    assertThat(t.adminRole()).isEqualTo("administrator");
  }

  @Test
  void tenancy_setting_without_a_prefix_is_refused() {
    assertThat(failure("tenancy:\n  tenant_setting: tenant\n").getMessage())
        .contains(
            "strata.yaml:2:19: tenancy.tenant_setting: 'tenant' is not a custom setting name");
  }

  @Test
  void tenancy_table_both_tenant_and_shared_is_refused() {
    assertThat(failure("tenancy:\n  tables: [sites, plans]\n  shared: [plans]\n").getMessage())
        .contains("tenancy.shared: [plans] also listed in tenancy.tables");
  }

  @Test
  void migrations_default_to_the_migrations_folder_and_bounded_waits() {
    MigrationsSpec m = parse("").migrations();
    assertThat(m.dir()).isEqualTo("migrations");
    assertThat(m.lockTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(m.statementTimeout()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void migrations_timeouts_take_postgres_units() {
    MigrationsSpec m =
        parse("migrations:\n  dir: db/migrate\n  lock_timeout: 500ms\n  statement_timeout: 0\n")
            .migrations();
    assertThat(m.dir()).isEqualTo("db/migrate");
    assertThat(m.lockTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(m.statementTimeout()).isZero();
    assertThat(parse("migrations:\n  lock_timeout: 2h\n").migrations().lockTimeout())
        .isEqualTo(Duration.ofHours(2));
  }

  @Test
  void migrations_timeout_without_unit_is_refused() {
    assertThat(failure("migrations:\n  lock_timeout: 10\n").getMessage())
        .startsWith("strata.yaml:2:17: migrations.lock_timeout: '10' has no unit");
    assertThat(failure("migrations:\n  statement_timeout: soon\n").getMessage())
        .contains("'soon' is not a duration such as 500ms, 10s, 5min or 1h");
  }
}
