package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** {@code strata pooler check} on what an application really ran through PgBouncer. */
@StrataTest(yaml = "postgres:\n  databases: [shop, billing]")
final class PoolerCommandIT {

  @Test
  void a_session_set_through_the_pool_fails_the_check_with_its_fix(StrataStack stack)
      throws Exception {
    try (Connection app = stack.connect(stack.env("shop").pooled());
        Statement s = app.createStatement()) {
      s.execute("SET statement_timeout = 5000");
      s.execute("select pg_advisory_lock(7)");
      s.execute("select pg_advisory_unlock(7)");
    }
    Cli check = Cli.run(stack.home(), "pooler", "check", "--database", "shop");
    assertThat(check.exitCode()).as(check.toString()).isEqualTo(1);
    assertThat(check.out())
        .contains("SET without LOCAL:")
        .contains("SET statement_timeout = 5000")
        .contains("shop_app")
        .contains("fix: use SET LOCAL")
        .contains("session advisory lock:")
        .contains("fix: use pg_advisory_xact_lock");
  }

  @Test
  void a_database_whose_app_ran_only_safe_statements_passes(StrataStack stack) throws Exception {
    try (Connection app = stack.connect(stack.env("billing").pooled())) {
      app.setAutoCommit(false);
      try (Statement s = app.createStatement()) {
        s.execute("SET LOCAL statement_timeout = 5000");
        s.execute("select pg_advisory_xact_lock(7)");
      }
      app.commit();
    }
    Cli check = Cli.run(stack.home(), "pooler", "check", "-d", "billing");
    assertThat(check.exitCode()).as(check.toString()).isZero();
    assertThat(check.out())
        .startsWith("no statement that breaks under transaction pooling")
        .contains("billing_app, billing_readonly");
  }
}
