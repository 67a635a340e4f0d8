package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What strata.yaml refuses beyond types: keys given twice at any depth, settings that would undo
 * other keys; and what it keeps accepting (databases named like SQL keywords).
 */
final class SpecStrictnessTest {

  private static StrataSpec parse(String yaml) {
    return SpecLoader.parse(yaml, "strata.yaml", Map.<String, String>of()::get);
  }

  private static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (SpecException e) {
      return e.problems().stream().map(SpecProblem::toString).toList();
    }
    throw new AssertionError("expected a SpecException for:\n" + yaml);
  }

  @Test
  void a_setting_given_twice_is_refused_at_the_second() {
    assertThat(
            problems(
                """
                postgres:
                  settings:
                    max_connections: 100
                    max_connections: 200
                """))
        .containsExactly(
            "strata.yaml:4:5: postgres.settings.max_connections: set twice (first at"
                + " strata.yaml:3:5): keep one");
  }

  @Test
  void a_setting_given_twice_in_flow_style_is_refused_too() {
    assertThat(problems("postgres:\n  settings: {work_mem: 4MB, work_mem: 8MB}\n"))
        .containsExactly(
            "strata.yaml:2:29: postgres.settings.work_mem: set twice (first at"
                + " strata.yaml:2:14): keep one");
  }

  @Test
  void a_tenancy_column_given_twice_is_refused() {
    assertThat(problems("tenancy:\n  columns:\n    customers: id\n    customers: org_id\n"))
        .containsExactly(
            "strata.yaml:4:5: tenancy.columns.customers: set twice (first at strata.yaml:3:5):"
                + " keep one");
  }

  @Test
  void a_key_given_twice_in_a_section_is_refused_at_the_second() {
    assertThat(problems("redis:\n  port: 7001\n  policy: noeviction\n  port: 7002\n"))
        .containsExactly(
            "strata.yaml:4:3: redis.port: set twice (first at strata.yaml:2:3): keep one");
  }

  @Test
  void a_section_given_twice_is_refused_at_the_second() {
    assertThat(problems("pooler:\n  port: 7001\npooler:\n  port: 7002\n"))
        .containsExactly("strata.yaml:3:1: pooler: set twice (first at strata.yaml:1:1): keep one");
  }

  @Test
  void distinct_settings_are_kept_in_file_order() {
    StrataSpec spec =
        parse("postgres:\n  settings:\n    work_mem: 8MB\n    max_connections: 200\n");
    assertThat(spec.postgres().settings())
        .containsExactly(Map.entry("work_mem", "8MB"), Map.entry("max_connections", "200"));
  }

  @Test
  void listen_addresses_in_settings_names_security_bind() {
    assertThat(problems("postgres:\n  settings: {listen_addresses: \"*\"}\n"))
        .containsExactly(
            "strata.yaml:2:14: postgres.settings.listen_addresses: Strata sets listen_addresses"
                + " itself: set security.bind instead; remove it from postgres.settings");
  }

  @Test
  void each_setting_strata_owns_names_the_key_that_sets_it() {
    Map<String, String> instead =
        Map.of(
            "port", "set postgres.port instead",
            "ssl", "set security.tls instead",
            "ssl_cert_file", "set security.tls_cert_file instead",
            "ssl_key_file", "set security.tls_key_file instead",
            "ssl_ca_file", "set security.tls_ca_file instead",
            "password_encryption", "always scram-sha-256",
            "unix_socket_directories", "the socket lives under .strata/",
            "hba_file", "pg_hba.conf follows security.tls and security.bind",
            "data_directory", "the data lives under .strata/",
            "config_file", "postgresql.conf is written by strata up");
    instead.forEach(
        (setting, fix) ->
            assertThat(problems("postgres:\n  settings:\n    " + setting + ": x\n"))
                .singleElement()
                .asString()
                .startsWith("strata.yaml:3:5: postgres.settings." + setting + ": Strata sets ")
                .contains(fix));
    assertThat(PostgresSpec.RESERVED_SETTINGS.keySet())
        .containsAll(instead.keySet())
        .contains("listen_addresses")
        .hasSize(instead.size() + 1);
  }

  @Test
  void setting_names_are_compared_as_postgresql_does_ignoring_case() {
    assertThat(problems("postgres:\n  settings:\n    Listen_Addresses: 0.0.0.0\n"))
        .singleElement()
        .asString()
        .contains("postgres.settings.Listen_Addresses: Strata sets listen_addresses itself");
  }

  @Test
  void other_settings_and_shared_preload_libraries_may_be_overridden() {
    StrataSpec spec =
        parse(
            "postgres:\n  settings:\n    shared_preload_libraries: pg_stat_statements,auto_explain\n"
                + "    ssl_min_protocol_version: TLSv1.3\n");
    assertThat(spec.postgres().settings())
        .containsEntry("shared_preload_libraries", "pg_stat_statements,auto_explain")
        .containsEntry("ssl_min_protocol_version", "TLSv1.3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"order", "user", "select", "table", "group"})
  void a_database_named_like_an_sql_keyword_passes(String name) {
    assertThat(parse("postgres:\n  databases: [" + name + "]\n").postgres().databases())
        .containsExactly(name);
  }

  @Test
  void redis_tls_follows_security_tls_when_auto() {
    assertThat(parse("").redis().tls()).isTrue();
    assertThat(parse("security:\n  tls: false\n").redis().tls()).isFalse();
    assertThat(parse("redis:\n  tls: auto\nsecurity:\n  tls: false\n").redis().tls()).isFalse();
  }

  @Test
  void redis_tls_can_be_turned_off_alone() {
    StrataSpec spec = parse("redis:\n  tls: false\n");
    assertThat(spec.redis().tls()).isFalse();
    assertThat(spec.security().tls()).isTrue();
    assertThat(spec).isNotEqualTo(parse(""));
  }

  @Test
  void redis_tls_without_security_tls_is_refused() {
    assertThat(problems("redis:\n  tls: true\nsecurity:\n  tls: false\n"))
        .containsExactly(
            "strata.yaml:2:8: redis.tls: true needs security.tls: true, which provides the"
                + " certificate: set security.tls: true, or redis.tls: auto");
  }

  @Test
  void redis_tls_takes_only_a_boolean_or_auto() {
    assertThat(problems("redis:\n  tls: maybe\n"))
        .containsExactly("strata.yaml:2:8: redis.tls: 'maybe' is not true or false");
  }

  @Test
  void specs_are_equal_by_their_values_not_where_they_were_written() {
    StrataSpec a = parse("pooler:\n  mode: session\n");
    StrataSpec b = parse("\n\npooler: {mode: session}\n");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(parse(""));
    assertThat(a.pooler().toString()).contains("mode=session");
  }

  @Test
  void an_extension_name_may_hold_a_dash_as_uuid_ossp_does_but_nothing_sql_could_misread() {
    assertThat(parse("postgres: {extensions: [pgcrypto, uuid-ossp]}\n").postgres().extensions())
        .containsExactly("pgcrypto", "uuid-ossp");
    assertThat(problems("postgres: {extensions: ['uuid\"; drop']}\n").get(0))
        .contains("is not an extension name");
    assertThat(problems("postgres: {extensions: [Citext]}\n").get(0))
        .contains("is not an extension name");
  }

  @Test
  void every_accessor_reads_its_key() {
    StrataSpec spec =
        parse(
            """
            postgres: {port: 7001, databases: [a, b], settings: {work_mem: 8MB},
                       extensions: [citext], memory: 1gb, bin_dir: /opt/pg/bin}
            pooler: {port: 7002, mode: statement, default_pool_size: 5, max_client_conn: 50}
            redis: {port: 7003, maxmemory: 32mb, policy: noeviction, persistence: aof, tls: false}
            security: {tls: true, tls_cert_file: c.pem, tls_key_file: k.pem, tls_ca_file: ca.pem,
                       bind: 0.0.0.0, run_as: nobody, owner_role: "o_{db}", app_role: "a_{db}",
                       readonly_role: "r_{db}", monitor_role: mon}
            """);
    PostgresSpec pg = spec.postgres();
    assertThat(pg.port()).isEqualTo(7001);
    assertThat(pg.databases()).containsExactly("a", "b");
    assertThat(pg.primaryDatabase()).isEqualTo("a");
    assertThat(pg.settings()).containsExactly(Map.entry("work_mem", "8MB"));
    assertThat(pg.extensions()).containsExactly("citext");
    assertThat(pg.memory()).contains(DataSize.ofMegabytes(1024));
    assertThat(pg.binDir()).contains("/opt/pg/bin");
    PoolerSpec pooler = spec.pooler();
    assertThat(List.of(pooler.port(), pooler.defaultPoolSize(), pooler.maxClientConn()))
        .containsExactly(7002, 5, 50);
    assertThat(pooler.mode()).isEqualTo("statement");
    RedisSpec redis = spec.redis();
    assertThat(redis.port()).isEqualTo(7003);
    assertThat(redis.maxmemory()).isEqualTo(DataSize.ofMegabytes(32));
    assertThat(redis.policy()).isEqualTo("noeviction");
    assertThat(redis.persistence()).isEqualTo("aof");
    assertThat(redis.appendOnly()).isTrue();
    assertThat(redis.snapshots()).isFalse();
    assertThat(redis.tls()).isFalse();
    SecuritySpec sec = spec.security();
    assertThat(sec.tls()).isTrue();
    assertThat(List.of(sec.tlsCertFile(), sec.tlsKeyFile(), sec.tlsCaFile()))
        .containsExactly(Optional.of("c.pem"), Optional.of("k.pem"), Optional.of("ca.pem"));
    assertThat(sec.userCertificates()).isTrue();
    assertThat(sec.bind()).isEqualTo("0.0.0.0");
    assertThat(sec.runAs()).isEqualTo("nobody");
    assertThat(List.of(sec.ownerRole(), sec.appRole(), sec.readonlyRole(), sec.monitorRole()))
        .containsExactly("o_{db}", "a_{db}", "r_{db}", "mon");
    assertThat(List.of(sec.ownerRole("x"), sec.appRole("x"), sec.readonlyRole("x")))
        .containsExactly("o_x", "a_x", "r_x");
  }
}
