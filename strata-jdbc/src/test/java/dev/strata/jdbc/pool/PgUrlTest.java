package dev.strata.jdbc.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PgUrlTest {
  @Test
  void a_pooled_url_keeps_its_tls_parameters_and_loses_its_credentials() {
    PgUrl u =
        PgUrl.parse(
            "postgresql://app:s3cr%40t@127.0.0.1:6432/hosterizer?sslmode=verify-full"
                + "&sslrootcert=%2Ftmp%2Fmy%20stack%2Fca.crt");
    assertThat(u.user()).isEqualTo("app");
    assertThat(u.password()).isEqualTo("s3cr@t");
    assertThat(u.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://127.0.0.1:6432/hosterizer?sslmode=verify-full"
                + "&sslrootcert=%2Ftmp%2Fmy%20stack%2Fca.crt")
        .doesNotContain("s3cr");
  }

  @Test
  void a_multi_host_direct_url_asks_pgjdbc_for_the_primary() {
    PgUrl u =
        PgUrl.parse(
            "postgresql://owner:pw@127.0.0.1:5001,127.0.0.1:5002/db?target_session_attrs=read-write"
                + "&application_name=migrate");
    assertThat(u.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://127.0.0.1:5001,127.0.0.1:5002/db?targetServerType=primary"
                + "&ApplicationName=migrate");
  }

  @Test
  void a_plus_in_a_password_stays_a_plus() {
    assertThat(PgUrl.parse("postgres://u:a+b@h:1/d").password()).isEqualTo("a+b");
  }

  @Test
  void what_is_not_a_postgres_uri_is_refused_without_printing_its_password() {
    assertThatThrownBy(() -> PgUrl.parse("rediss://app:hunter2@h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PostgreSQL URI")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> PgUrl.parse("postgresql://app:hunter2@h:1"))
        .hasMessageContaining("needs a user, a host and a database")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void pool_settings_refuse_what_hikari_would_silently_replace() {
    assertThatThrownBy(() -> PoolSettings.DEFAULTS.withMinimumIdle(11))
        .hasMessageContaining("minimumIdle must be between 0 and maximumPoolSize (10)");
    assertThatThrownBy(() -> PoolSettings.DEFAULTS.withMaxLifetime(Duration.ofSeconds(5)))
        .hasMessageContaining("at least 30 s");
    assertThat(PoolSettings.DEFAULTS.withMaximumPoolSize(4).minimumIdle()).isEqualTo(4);
  }

  @Test
  void an_idle_timeout_hikari_would_turn_off_is_refused() {
    PoolSettings seed =
        PoolSettings.DEFAULTS
            .withMaxLifetime(Duration.ofMinutes(5))
            .withIdleTimeout(Duration.ofMinutes(10));
    assertThatThrownBy(
            () -> PooledDataSources.config("t", "jdbc:postgresql://h/d", "u", "", false, seed))
        .hasMessageContaining("idleTimeout (PT10M) is not shorter than maxLifetime (PT5M)");
    assertThat(
            PooledDataSources.config(
                    "t",
                    "jdbc:postgresql://h/d",
                    "u",
                    "",
                    false,
                    seed.withIdleTimeout(Duration.ofSeconds(30)))
                .getIdleTimeout())
        .isEqualTo(30_000);
  }

  @Test
  void a_missing_variable_says_how_to_set_it() {
    assertThatThrownBy(() -> PooledDataSources.replica(java.util.Map.of(), PoolSettings.DEFAULTS))
        .hasMessageContaining("READ_DATABASE_URL is not set")
        .hasMessageContaining("postgres.nodes: 2 or more");
  }
}
