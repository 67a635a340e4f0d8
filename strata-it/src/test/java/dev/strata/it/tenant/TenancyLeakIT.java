package dev.strata.it.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.strata.core.tenant.TenantContext;
import dev.strata.jdbc.tenant.Tenancy;
import dev.strata.jdbc.tenant.TenantDataSource;
import dev.strata.jdbc.tenant.TenantSettings;
import dev.strata.jdbc.tenant.audit.TenancyPlan;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Every path the review found to bypass the wrapper, through PgBouncer with one server connection:
 * before each test a careless client leaves tenant 2's value in that server session, and tenant 1
 * must still see its own rows only (2), never tenant 2's (1 more).
 */
@StrataTest(yaml = "pooler:\n  default_pool_size: 1\ntenancy:\n  column: customer_id\n")
final class TenancyLeakIT {
  private static HikariDataSource pool;
  private static HikariDataSource autosave;
  private static StrataStack stack;
  private static final AtomicReference<TenantContext> CURRENT = new AtomicReference<>();
  private static TenantDataSource tenants;

  @BeforeAll
  static void schema(StrataStack s) throws SQLException {
    stack = s;
    try (Connection owner = s.connect(s.env().direct());
        Statement st = owner.createStatement()) {
      st.execute(
          """
          create table sites (
            id bigserial primary key,
            customer_id bigint not null,
            name text not null);
          insert into sites (customer_id, name) values (1, 'one-a'), (1, 'one-b'), (2, 'two-a');
          create function sites_count() returns bigint language sql as
            'select count(*) from sites';
          """);
      TenancyAuditIT.apply(st, TenancyPlan.plan(owner, s.stack().spec().tenancy()));
    }
    pool = new HikariDataSource(TenancyIT.hikari(s.env().pooled()));
    HikariConfig save = TenancyIT.hikari(s.env().pooled());
    save.addDataSourceProperty("autosave", "always");
    autosave = new HikariDataSource(save);
    tenants = new TenantDataSource(pool, TenantSettings.defaults(), CURRENT::get);
  }

  @AfterAll
  static void close() {
    pool.close();
    autosave.close();
  }

  /** Tenant 2's value left for the whole session, as a careless client leaves it. */
  @BeforeEach
  void leaveTenantTwoInTheSession() throws SQLException {
    CURRENT.set(TenantContext.tenant("1"));
    try (Connection careless = stack.connect(stack.env().pooled());
        Statement s = careless.createStatement()) {
      s.execute("select set_config('app.current_tenant', '2', false)");
    }
  }

  @Test
  void savepoint_rollback_does_not_undo_the_context() throws SQLException {
    long seen =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              Savepoint sp = c.setSavepoint();
              c.createStatement().execute("select 1");
              c.rollback(sp);
              return count(c);
            });
    assertThat(seen).isEqualTo(2);
  }

  @Test
  void commit_sent_as_sql_does_not_end_the_context() throws SQLException {
    long seen =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              c.createStatement().execute("select 1");
              c.createStatement().execute("commit");
              return count(c);
            });
    assertThat(seen).isEqualTo(2);
  }

  @Test
  void client_side_error_of_a_prepared_statement_leaves_no_gap() throws SQLException {
    long seen =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              c.createStatement().execute("rollback"); // the server transaction ends here
              try (PreparedStatement ps =
                  c.prepareStatement("select count(*) from sites where id = ?")) {
                ps.setObject(1, new Object()); // pgjdbc refuses it before sending anything
                assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class);
              } catch (SQLException refusedAtOnce) {
                // some drivers refuse in the setter already
              }
              return count(c);
            });
    assertThat(seen).isEqualTo(2);
  }

  @Test
  void autosave_rolling_back_a_failed_first_statement_keeps_the_context() throws SQLException {
    long seen =
        Tenancy.inTenant(
            autosave,
            TenantContext.tenant("1"),
            c -> {
              assertThatThrownBy(() -> c.createStatement().execute("select 1/0"))
                  .hasMessageContaining("division by zero");
              return count(c);
            });
    assertThat(seen).isEqualTo(2);
  }

  @Test
  void unwrap_metadata_and_result_sets_hand_back_the_wrapper_only() throws SQLException {
    Tenancy.inTenant(
        pool,
        TenantContext.tenant("1"),
        c -> {
          assertThat(count(c.unwrap(Connection.class))).isEqualTo(2);
          assertThat(c.isWrapperFor(PGConnection.class)).isFalse();
          assertThatThrownBy(() -> c.unwrap(PGConnection.class))
              .hasMessageContaining("would skip the tenant context");
          assertThat(count(c.getMetaData().getConnection())).isEqualTo(2);
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("select 1")) {
            assertThat(rs.getStatement()).isSameAs(s);
            assertThat(count(rs.getStatement().getConnection())).isEqualTo(2);
            assertThatThrownBy(() -> s.unwrap(org.postgresql.PGStatement.class))
                .isInstanceOf(SQLException.class);
          }
          try (PreparedStatement ps = c.prepareStatement("select 1");
              ResultSet rs = ps.executeQuery()) {
            assertThat(count(rs.getStatement().getConnection())).isEqualTo(2);
          }
          try (ResultSet tables = c.getMetaData().getTables(null, null, "sites", null)) {
            assertThat(tables.getStatement()).isNull();
          }
          return null;
        });
  }

  @Test
  void callable_statement_runs_in_the_context() throws SQLException {
    long seen =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              try (CallableStatement cs = c.prepareCall("{? = call sites_count()}")) {
                cs.registerOutParameter(1, Types.BIGINT);
                cs.execute();
                return cs.getLong(1);
              }
            });
    assertThat(seen).isEqualTo(2);
  }

  @Test
  void batches_and_generated_keys_run_in_the_context() throws SQLException {
    int[] counts =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              try (Statement s = c.createStatement()) {
                s.addBatch("update sites set name = name");
                s.addBatch("delete from sites where customer_id = 2");
                return s.executeBatch();
              }
            });
    assertThat(counts).containsExactly(2, 0);
    long key =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "insert into sites (customer_id, name) values (1, 'one-c')",
                      Statement.RETURN_GENERATED_KEYS)) {
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                  keys.next();
                  long id = keys.getLong(1);
                  c.rollback();
                  return id;
                }
              }
            });
    assertThat(key).isPositive();
  }

  @Test
  void auto_commit_statements_each_carry_the_context() throws SQLException {
    try (Connection c = tenants.getConnection()) {
      assertThat(c.getAutoCommit()).isTrue();
      assertThat(count(c)).isEqualTo(2);
      try (PreparedStatement ps = c.prepareStatement("select count(*) from sites where id > ?")) {
        ps.setLong(1, 0);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getLong(1)).isEqualTo(2);
        }
      }
      CURRENT.set(TenantContext.none());
      assertThat(count(c)).isZero();
    }
  }

  @Test
  void context_supplied_anew_for_every_statement_of_a_transaction() throws SQLException {
    try (Connection c = tenants.getConnection()) {
      c.setAutoCommit(false);
      assertThat(count(c)).isEqualTo(2);
      CURRENT.set(TenantContext.tenant("2"));
      assertThat(count(c)).isEqualTo(1);
      CURRENT.set(TenantContext.admin());
      assertThatThrownBy(() -> count(c)) // the app role was not granted the admin role
          .hasMessageContaining("permission denied to set role \"app_tenant_admin\"");
      c.rollback();
      CURRENT.set(TenantContext.tenant("1"));
      assertThat(count(c)).isEqualTo(2);
      c.rollback();
    }
  }

  @Test
  void one_server_prepared_statement_serves_every_tenant() throws SQLException {
    // Straight to PostgreSQL: pgjdbc prepares server-side after its threshold.
    HikariConfig direct = TenancyIT.hikari(stack.env().direct());
    direct.setUsername("app_app");
    direct.setPassword(stack.env().pooled().password());
    direct.addDataSourceProperty("prepareThreshold", "1");
    direct.setMaximumPoolSize(1);
    try (HikariDataSource ds = new HikariDataSource(direct)) {
      AtomicReference<TenantContext> who = new AtomicReference<>();
      TenantDataSource perTenant = new TenantDataSource(ds, TenantSettings.defaults(), who::get);
      try (Connection c = perTenant.getConnection();
          PreparedStatement ps = c.prepareStatement("select count(*) from sites where id > ?")) {
        for (int round = 0; round < 3; round++) {
          for (String tenant : new String[] {"1", "2", "3", "4"}) {
            who.set(TenantContext.tenant(tenant));
            ps.setLong(1, 0);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              assertThat(rs.getLong(1))
                  .isEqualTo(tenant.equals("1") ? 2 : tenant.equals("2") ? 1 : 0);
            }
          }
        }
        who.set(TenantContext.none());
        // pgjdbc prepares each statement of the query apart: one context statement for all four
        // tenants (its value a parameter), one for the query. (Plain statements inline the value:
        // their own context statements, with literals, are not counted.)
        try (Statement s = c.unwrap(Connection.class).createStatement();
            ResultSet rs =
                s.executeQuery(
                    "select count(*) filter (where ltrim(statement) like 'select set_config(%$1%'),"
                        + " count(*) filter (where ltrim(statement) like 'select count(*) from sites"
                        + " where id >%') from pg_prepared_statements")) {
          rs.next();
          assertThat(rs.getLong(1)).as(prepared(c)).isEqualTo(1);
          assertThat(rs.getLong(2)).as(prepared(c)).isEqualTo(1);
        }
      }
    }
  }

  private static String prepared(Connection c) throws SQLException {
    StringBuilder all = new StringBuilder();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select name, statement from pg_prepared_statements")) {
      while (rs.next()) {
        all.append(rs.getString(1)).append(": ").append(rs.getString(2)).append('\n');
      }
    }
    return all.toString();
  }

  private static long count(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from sites")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
