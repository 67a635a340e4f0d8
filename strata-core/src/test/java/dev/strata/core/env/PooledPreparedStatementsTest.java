package dev.strata.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pooled JDBC URL follows what the stack's pgbouncer.ini says about prepared statements. */
final class PooledPreparedStatementsTest {
  @TempDir Path project;

  private StateDir writeIni(String ini) throws Exception {
    StateDir dir = StateDir.of(project);
    Files.createDirectories(dir.component("pgbouncer"));
    Files.writeString(dir.component("pgbouncer").resolve("pgbouncer.ini"), ini);
    return dir;
  }

  @Test
  void an_ini_with_max_prepared_statements_lets_pgjdbc_prepare() throws Exception {
    StateDir dir =
        writeIni("[pgbouncer]\npool_mode = transaction\nmax_prepared_statements = 200\n");
    assertThat(PooledPreparedStatements.kept(dir)).isTrue();
    PgEndpoint pooled = new PgEndpoint("h", 1, "db", "u", "p", null, true, true);
    assertThat(pooled.jdbcUrl()).isEqualTo("jdbc:postgresql://h:1/db");
    assertThat(pooled.as("ro", "x").jdbcUrl()).doesNotContain("prepareThreshold");
  }

  @Test
  void no_ini_zero_or_no_setting_keeps_prepare_threshold_zero() throws Exception {
    assertThat(PooledPreparedStatements.kept(StateDir.of(project))).isFalse();
    assertThat(PooledPreparedStatements.kept(writeIni("max_prepared_statements = 0\n"))).isFalse();
    assertThat(PooledPreparedStatements.kept(writeIni("pool_mode = transaction\n"))).isFalse();
    assertThat(new PgEndpoint("h", 1, "db", "u", "p", null, true).jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:1/db?prepareThreshold=0");
  }
}
