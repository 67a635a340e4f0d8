package dev.strata.ops.pgbouncer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading PgBouncer's version and what it implies for prepared statements. */
final class PgBouncerVersionTest {

  @Test
  void version_output_is_read_from_its_first_number() {
    PgBouncerVersion v =
        PgBouncerVersion.parse("PgBouncer 1.24.1\nlibevent 2.1.12-stable\nadns: c-ares 1.18.1")
            .orElseThrow();
    assertThat(v).isEqualTo(new PgBouncerVersion(1, 24, 1, "1.24.1"));
    assertThat(PgBouncerVersion.parse("1.21").orElseThrow().patch()).isZero();
    assertThat(PgBouncerVersion.parse("no number here")).isEmpty();
  }

  @Test
  void prepared_statements_are_kept_from_1_21_on() {
    assertThat(PgBouncerVersion.parse("1.18.0").orElseThrow().keepsPreparedStatements()).isFalse();
    assertThat(PgBouncerVersion.parse("1.20.9").orElseThrow().keepsPreparedStatements()).isFalse();
    assertThat(PgBouncerVersion.parse("1.21.0").orElseThrow().keepsPreparedStatements()).isTrue();
    assertThat(PgBouncerVersion.parse("2.0").orElseThrow().keepsPreparedStatements()).isTrue();
  }

  @Test
  void only_a_pgbouncer_that_has_the_setting_gets_max_prepared_statements() {
    java.nio.file.Path any = java.nio.file.Path.of("/usr/sbin/pgbouncer");
    assertThat(
            new PgBouncerBinary(
                    any, PgBouncerVersion.parse("1.24.1").orElseThrow(), java.util.Optional.empty())
                .iniSettings())
        .isEqualTo("max_prepared_statements = 200\n");
    assertThat(
            new PgBouncerBinary(
                    any, PgBouncerVersion.parse("1.18.0").orElseThrow(), java.util.Optional.empty())
                .iniSettings())
        .isEmpty();
  }
}
