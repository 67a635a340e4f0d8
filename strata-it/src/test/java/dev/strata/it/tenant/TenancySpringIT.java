package dev.strata.it.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.strata.core.tenant.TenantContext;
import dev.strata.jdbc.tenant.TenantDataSource;
import dev.strata.jdbc.tenant.TenantSettings;
import dev.strata.jdbc.tenant.audit.TenancyPlan;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring's transactions over {@link TenantDataSource} through PgBouncer, the way a Spring Boot
 * application runs {@code @Transactional}: NESTED (a savepoint rolled back) and REQUIRES_NEW (a
 * second connection, another tenant, then back) keep each statement in its tenant's context, with
 * another tenant's value left in the server sessions.
 */
@StrataTest(yaml = "pooler:\n  default_pool_size: 2\ntenancy:\n  column: customer_id\n")
final class TenancySpringIT {
  private static final ThreadLocal<TenantContext> CURRENT =
      ThreadLocal.withInitial(TenantContext::none);
  private static HikariDataSource pool;
  private static JdbcTemplate jdbc;
  private static DataSourceTransactionManager transactions;

  @BeforeAll
  static void schema(StrataStack stack) throws SQLException {
    try (Connection owner = stack.connect(stack.env().direct());
        Statement s = owner.createStatement()) {
      s.execute(
          """
          create table sites (id bigint primary key, customer_id bigint not null, name text);
          insert into sites values (1, 1, 'one-a'), (2, 1, 'one-b'), (3, 2, 'two-a');
          """);
      TenancyAuditIT.apply(s, TenancyPlan.plan(owner, stack.stack().spec().tenancy()));
    }
    pool = new HikariDataSource(TenancyIT.hikari(stack.env().pooled()));
    // Both server connections get tenant 2's value for their whole session.
    try (Connection a = pool.getConnection();
        Connection b = pool.getConnection()) {
      for (Connection c : new Connection[] {a, b}) {
        c.setAutoCommit(false); // hold the server connection while the other one is set
        c.createStatement().execute("select set_config('app.current_tenant', '2', false)");
      }
      a.commit();
      b.commit();
    }
    TenantDataSource tenants = new TenantDataSource(pool, TenantSettings.defaults(), CURRENT::get);
    jdbc = new JdbcTemplate(tenants);
    transactions = new DataSourceTransactionManager(tenants);
    transactions.setNestedTransactionAllowed(true);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Test
  void nested_rolled_back_savepoint_keeps_the_outer_tenant() {
    CURRENT.set(TenantContext.tenant("1"));
    TransactionTemplate outer = new TransactionTemplate(transactions);
    TransactionTemplate nested = new TransactionTemplate(transactions);
    nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    Long seen =
        outer.execute(
            status -> {
              assertThat(count()).isEqualTo(2);
              nested.executeWithoutResult(
                  inner -> {
                    jdbc.update("update sites set name = 'renamed' where id = 1");
                    inner.setRollbackOnly(); // ROLLBACK TO SAVEPOINT
                  });
              return count();
            });
    assertThat(seen).isEqualTo(2);
    assertThat(jdbc.queryForObject("select name from sites where id = 1", String.class))
        .isEqualTo("one-a");
  }

  @Test
  void requires_new_for_another_tenant_then_back() {
    CURRENT.set(TenantContext.tenant("1"));
    TransactionTemplate outer = new TransactionTemplate(transactions);
    TransactionTemplate fresh = new TransactionTemplate(transactions);
    fresh.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    Long after =
        outer.execute(
            status -> {
              assertThat(count()).isEqualTo(2);
              Long other =
                  fresh.execute(
                      inner -> {
                        CURRENT.set(TenantContext.tenant("3"));
                        try {
                          return count();
                        } finally {
                          CURRENT.set(TenantContext.tenant("1"));
                        }
                      });
              assertThat(other).isZero();
              return count();
            });
    assertThat(after).isEqualTo(2);
  }

  private static long count() {
    return jdbc.queryForObject("select count(*) from sites", Long.class);
  }
}
