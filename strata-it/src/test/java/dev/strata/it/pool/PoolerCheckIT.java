package dev.strata.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.SecuritySpec;
import dev.strata.jdbc.pool.PoolerCheck;
import dev.strata.jdbc.pool.PoolerFinding;
import dev.strata.jdbc.pool.PoolerHazard;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolerCheck} against what really ran through PgBouncer: each statement that breaks under
 * transaction pooling, run by the app role in one database, is found with its role; the safe forms
 * of the same work, run in another database, give nothing.
 */
@StrataTest(yaml = "postgres:\n  databases: [dirty, clean]\n")
final class PoolerCheckIT {

  @Test
  void each_pattern_run_through_the_pool_is_found(StrataStack stack) throws SQLException {
    try (Connection app = stack.connect(stack.env("dirty").pooled());
        Statement s = app.createStatement()) {
      s.execute("SET search_path = public");
      s.execute("select pg_advisory_lock(42)");
      s.execute("select pg_advisory_unlock(42)");
      s.execute("LISTEN orders_changed");
      s.execute("UNLISTEN orders_changed");
      s.execute("DECLARE held CURSOR WITH HOLD FOR select 1");
      s.execute("CLOSE held");
      s.execute("CREATE TEMP TABLE scratch (id int)");
      s.execute("DROP TABLE scratch");
      // pg_stat_statements keeps one text per normalized statement, the first it saw: this one
      // must not have run unprepared before.
      s.execute("PREPARE two AS select 'only prepared'::text, 2");
      s.execute("EXECUTE two");
      s.execute("DEALLOCATE two");
    }
    PoolerCheck.Report report = check(stack, "dirty");
    assertThat(report.findings())
        .extracting(PoolerFinding::hazard)
        .containsExactlyInAnyOrder(PoolerHazard.values());
    String app = stack.stack().spec().security().appRole("dirty");
    assertThat(report.findings()).allSatisfy(f -> assertThat(f.role()).isEqualTo(app));
    assertThat(report.clean()).isFalse();
  }

  @Test
  void the_transaction_safe_forms_give_nothing(StrataStack stack) throws SQLException {
    try (Connection app = stack.connect(stack.env("clean").pooled())) {
      app.setAutoCommit(false);
      try (Statement s = app.createStatement()) {
        s.execute("SET LOCAL search_path = public");
        s.execute("select set_config('app.tenant', '7', true)");
        s.execute("select pg_advisory_xact_lock(42)");
        s.execute("CREATE TEMP TABLE scratch (id int) ON COMMIT DROP");
        s.execute("DECLARE passing CURSOR FOR select 1");
        s.execute("CLOSE passing");
        s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      }
      try (PreparedStatement p = app.prepareStatement("select ?::int")) {
        for (int i = 0; i < 10; i++) {
          p.setInt(1, i);
          p.executeQuery().close();
        }
      }
      app.commit();
    }
    PoolerCheck.Report report = check(stack, "clean");
    assertThat(report.findings()).isEmpty();
    assertThat(report.statements()).as("the statements above were read").isGreaterThan(5);
  }

  /** As Strata's monitoring role, the statements of the app and read-only roles. */
  static PoolerCheck.Report check(StrataStack stack, String db) throws SQLException {
    SecuritySpec sec = stack.stack().spec().security();
    String password =
        Secrets.open(stack.stack().stateDir().secretsFile())
            .require(StackEnvs.postgresSecret(sec.monitorRole()));
    PgEndpoint monitor = stack.env(db).direct().as(sec.monitorRole(), password);
    try (Connection c = stack.connect(monitor)) {
      return PoolerCheck.run(c, List.of(sec.appRole(db), sec.readonlyRole(db)));
    }
  }

  @Test
  void strata_installs_pg_stat_statements_in_every_database(StrataStack stack) throws SQLException {
    try (Connection owner = stack.connect(stack.env("clean").direct());
        ResultSet rs =
            owner
                .createStatement()
                .executeQuery(
                    "select count(*) from pg_extension where extname = 'pg_stat_statements'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("Strata installs pg_stat_statements in every database").isOne();
    }
  }
}
