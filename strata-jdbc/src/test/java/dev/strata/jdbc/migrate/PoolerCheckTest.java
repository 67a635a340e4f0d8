package dev.strata.jdbc.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import org.junit.jupiter.api.Test;

final class PoolerCheckTest {

  @Test
  void pgbouncer_port_is_refused() {
    assertThatThrownBy(() -> PoolerCheck.refuseIfPooled("jdbc:postgresql://db.internal:6432/app"))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("goes through a pooler: its port 6432 is PgBouncer's")
        .extracting(e -> ((StrataException) e).code())
        .isEqualTo(ErrorCode.BAD_INPUT);
  }

  @Test
  void pooler_hosts_and_markers_are_refused() {
    assertThatThrownBy(
            () ->
                PoolerCheck.refuseIfPooled(
                    "jdbc:postgresql://aws-0-eu.pooler.supabase.com:5432/postgres"))
        .hasMessageContaining("is a connection pooler");
    assertThatThrownBy(
            () -> PoolerCheck.refuseIfPooled("jdbc:postgresql://h:5432/app?pgbouncer=true"))
        .hasMessageContaining("its parameter pgbouncer=true says it goes through PgBouncer");
    assertThatThrownBy(
            () ->
                PoolerCheck.refuseIfPooled(
                    "postgresql://u:p@h:5432/app?sslmode=require&pgbouncer=true"))
        .hasMessageContaining("pgbouncer=true");
    assertThatThrownBy(
            () ->
                PoolerCheck.refuseIfPooled(
                    "jdbc:postgresql://h:7001/app?sslmode=require&prepareThreshold=0&password=s3cret"))
        .hasMessageContaining("its parameter prepareThreshold=0 is the setting for PgBouncer")
        .hasMessageNotContaining("s3cret")
        .hasMessageNotContaining("sslmode")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void direct_urls_pass() {
    assertThatCode(
            () ->
                PoolerCheck.refuseIfPooled(
                    "jdbc:postgresql://127.0.0.1:5432/app?sslmode=verify-full"))
        .doesNotThrowAnyException();
    assertThatCode(() -> PoolerCheck.refuseIfPooled("jdbc:postgresql://db/app"))
        .doesNotThrowAnyException();
  }
}
