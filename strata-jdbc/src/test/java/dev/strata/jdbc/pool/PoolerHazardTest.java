package dev.strata.jdbc.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which statement texts (as pg_stat_statements keeps them) break under transaction pooling. */
final class PoolerHazardTest {

  private static Optional<PoolerHazard> of(String query) {
    return PoolerHazard.of(query);
  }

  @Test
  void session_set_is_found_and_transaction_scoped_forms_are_not() {
    assertThat(of("SET search_path = public")).contains(PoolerHazard.SESSION_SET);
    assertThat(of("set session statement_timeout = $1")).contains(PoolerHazard.SESSION_SET);
    assertThat(of("/* app */ SET ROLE admin")).contains(PoolerHazard.SESSION_SET);
    assertThat(of("SET LOCAL search_path = public")).isEmpty();
    assertThat(of("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")).isEmpty();
    assertThat(of("SET CONSTRAINTS ALL DEFERRED")).isEmpty();
    assertThat(of("select set_config($1, $2, $3)")).isEmpty();
  }

  @Test
  void settings_pgbouncer_restores_per_client_are_not_hazards() {
    assertThat(of("SET DateStyle='ISO'")).isEmpty();
    assertThat(of("SET TimeZone='Etc/UTC'")).isEmpty();
    assertThat(of("SET application_name = 'PostgreSQL JDBC Driver'")).isEmpty();
    assertThat(of("SET extra_float_digits = 3")).isEmpty();
    assertThat(of("SET TIME ZONE 'UTC'")).isEmpty();
    assertThat(of("SET timezone_abbreviations = 'Default'")).contains(PoolerHazard.SESSION_SET);
  }

  @Test
  void session_advisory_locks_are_found_and_transaction_locks_are_not() {
    assertThat(of("select pg_advisory_lock($1)")).contains(PoolerHazard.SESSION_ADVISORY_LOCK);
    assertThat(of("SELECT pg_try_advisory_lock_shared($1, $2)"))
        .contains(PoolerHazard.SESSION_ADVISORY_LOCK);
    assertThat(of("select pg_advisory_xact_lock($1)")).isEmpty();
    assertThat(of("select pg_try_advisory_xact_lock($1)")).isEmpty();
  }

  @Test
  void listen_hold_cursors_temporary_tables_and_sql_prepare_are_found() {
    assertThat(of("LISTEN jobs")).contains(PoolerHazard.LISTEN);
    assertThat(of("DECLARE c CURSOR WITH HOLD FOR select $1"))
        .contains(PoolerHazard.WITH_HOLD_CURSOR);
    assertThat(of("DECLARE c CURSOR FOR select $1")).isEmpty();
    assertThat(of("create temp table t (id int)")).contains(PoolerHazard.TEMPORARY_TABLE);
    assertThat(of("CREATE TEMPORARY TABLE t AS select $1")).contains(PoolerHazard.TEMPORARY_TABLE);
    assertThat(of("select * into temp t from items")).contains(PoolerHazard.TEMPORARY_TABLE);
    assertThat(of("create temp table t (id int) on commit drop")).isEmpty();
    assertThat(of("PREPARE p AS select $1::text")).contains(PoolerHazard.SQL_PREPARE);
    assertThat(of("PREPARE TRANSACTION 'tx1'")).isEmpty();
    assertThat(of("select * from items where note = 'SET x'")).isEmpty();
  }
}
