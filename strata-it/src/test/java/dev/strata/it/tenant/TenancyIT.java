package dev.strata.it.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.spec.TenancySpec;
import dev.strata.core.tenant.TenantContext;
import dev.strata.jdbc.tenant.Tenancy;
import dev.strata.jdbc.tenant.TenantDataSource;
import dev.strata.jdbc.tenant.TenantSettings;
import dev.strata.jdbc.tenant.audit.TenancyPlan;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenant context of strata-jdbc through a real PgBouncer in transaction mode, with a server
 * pool of one so that every transaction of every client runs on the same server connection.
 */
@StrataTest(yaml = "pooler:\n  default_pool_size: 1\ntenancy:\n  column: customer_id\n")
final class TenancyIT {
  private static HikariDataSource pool;

  @BeforeAll
  static void schema(StrataStack stack) throws SQLException {
    TenancySpec spec = stack.stack().spec().tenancy();
    try (Connection owner = stack.connect(stack.env().direct());
        Statement s = owner.createStatement()) {
      s.execute(
          """
          create table sites (
            id bigint primary key,
            customer_id bigint not null,
            name text not null);
          insert into sites values (1, 1, 'one-a'), (2, 1, 'one-b'), (3, 2, 'two-a');
          """);
      TenancyAuditIT.apply(s, TenancyPlan.plan(owner, spec));
      // The admin bypass is a role: granted to the app explicitly, as a migration would.
      s.execute("grant app_tenant_admin to app_app");
    }
    pool = new HikariDataSource(hikari(stack.env().pooled()));
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  static HikariConfig hikari(PgEndpoint endpoint) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(endpoint.jdbcUrl());
    config.setUsername(endpoint.user());
    config.setPassword(endpoint.password());
    config.setMaximumPoolSize(2);
    return config;
  }

  @Test
  void tenant_sees_only_its_rows() throws SQLException {
    assertThat(names(TenantContext.tenant("1"))).containsExactly("one-a", "one-b");
    assertThat(names(TenantContext.tenant("2"))).containsExactly("two-a");
    assertThat(names(TenantContext.tenant("3"))).isEmpty();
  }

  @Test
  void no_tenant_sees_nothing_and_writes_nothing() throws SQLException {
    assertThat(names(TenantContext.none())).isEmpty();
    assertThatThrownBy(
            () ->
                Tenancy.inTenant(
                    pool,
                    TenantContext.none(),
                    c -> update(c, "insert into sites values (9, 1, 'x')")))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("row-level security")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("42501");
    int deleted = Tenancy.inTenant(pool, TenantContext.none(), c -> update(c, "delete from sites"));
    assertThat(deleted).isZero();
  }

  @Test
  void admin_sees_every_tenant() throws SQLException {
    List<String> all = Tenancy.asAdmin(pool, TenancyIT::names);
    assertThat(all).containsExactly("one-a", "one-b", "two-a");
  }

  @Test
  void tenant_cannot_write_rows_for_another_tenant() throws SQLException {
    TenantContext one = TenantContext.tenant("1");
    assertThatThrownBy(
            () ->
                Tenancy.inTenant(pool, one, c -> update(c, "insert into sites values (9, 2, 'x')")))
        .hasMessageContaining("row-level security");
    assertThatThrownBy(
            () -> Tenancy.inTenant(pool, one, c -> update(c, "update sites set customer_id = 2")))
        .hasMessageContaining("row-level security");
    int own = Tenancy.inTenant(pool, one, c -> update(c, "update sites set name = name"));
    assertThat(own).isEqualTo(2);
  }

  @Test
  void context_never_reaches_the_next_transaction_on_the_same_server_connection(StrataStack stack)
      throws SQLException {
    long pid =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              assertThat(names(c)).hasSize(2);
              return backendPid(c);
            });
    // A client connection of its own, outside the library: PgBouncer hands it the same server.
    try (Connection other = stack.connect(stack.env().pooled())) {
      other.setAutoCommit(false);
      assertThat(backendPid(other)).isEqualTo(pid);
      assertThat(single(other, "select current_setting('app.current_tenant', true)"))
          .isIn(null, "");
      assertThat(names(other)).isEmpty();
      other.rollback();
    }
  }

  @Test
  void session_setting_left_by_another_client_is_overridden(StrataStack stack) throws SQLException {
    try (Connection careless = stack.connect(stack.env().pooled());
        Statement s = careless.createStatement()) {
      // Session-wide (is_local false): it stays on the server connection after this statement.
      s.execute("select set_config('app.current_tenant', '1', false)");
      s.execute("select set_config('app.current_role', 'admin', false)");
      List<String> two = Tenancy.inTenant(pool, TenantContext.tenant("2"), TenancyIT::names);
      assertThat(two).containsExactly("two-a");
      List<String> none = Tenancy.inTenant(pool, TenantContext.none(), TenancyIT::names);
      assertThat(none).isEmpty();
      // The prefix writes the role setting too, the tenant's empty string over the left 'admin',
      // in a plain statement (a literal) and in a prepared one (a bound parameter).
      String[] role =
          Tenancy.inTenant(
              pool,
              TenantContext.tenant("2"),
              c -> {
                try (PreparedStatement ps =
                    c.prepareStatement("select current_setting('app.current_role', true)")) {
                  try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new String[] {
                      single(c, "select current_setting('app.current_role', true)"), rs.getString(1)
                    };
                  }
                }
              });
      assertThat(role).containsExactly("", "");
      s.execute("reset all");
    }
  }

  @Test
  void work_that_throws_is_rolled_back() throws SQLException {
    assertThatThrownBy(
            () ->
                Tenancy.inTenant(
                    pool,
                    TenantContext.tenant("1"),
                    c -> {
                      update(c, "update sites set name = 'changed' where id = 1");
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertThat(names(TenantContext.tenant("1"))).containsExactly("one-a", "one-b");
  }

  @Test
  void role_setting_written_by_the_app_itself_opens_nothing(StrataStack stack) throws SQLException {
    try (Connection c = stack.connect(stack.env().pooled());
        Statement s = c.createStatement()) {
      for (String claim : List.of("admin", "app_tenant_admin", "administrator")) {
        s.execute("select set_config('app.current_role', '" + claim + "', false)");
        assertThat(names(s.executeQuery("select name from sites"))).isEmpty();
      }
      s.execute("reset all");
    }
  }

  @Test
  void apply_refuses_an_auto_commit_connection() throws SQLException {
    try (Connection c = pool.getConnection()) {
      assertThatThrownBy(
              () -> Tenancy.apply(c, TenantSettings.defaults(), TenantContext.tenant("1")))
          .hasMessageContaining("auto-commit mode");
    }
  }

  @Test
  void data_source_applies_the_supplied_context_to_each_transaction() throws SQLException {
    AtomicReference<TenantContext> current = new AtomicReference<>(TenantContext.tenant("1"));
    TenantDataSource ds = new TenantDataSource(pool, TenantSettings.defaults(), current::get);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      assertThat(names(c)).containsExactly("one-a", "one-b");
      c.commit();
      current.set(TenantContext.tenant("2"));
      assertThat(names(c)).containsExactly("two-a");
      c.rollback();
      current.set(TenantContext.none());
      assertThat(names(c)).isEmpty();
      c.commit();
    }
  }

  @Test
  void data_source_wraps_each_auto_commit_statement_in_its_own_context() throws SQLException {
    AtomicReference<TenantContext> current = new AtomicReference<>(TenantContext.tenant("2"));
    TenantDataSource ds = new TenantDataSource(pool, TenantSettings.defaults(), current::get);
    try (Connection c = ds.getConnection();
        var ps = c.prepareStatement("select name from sites order by id")) {
      assertThat(c.getAutoCommit()).isTrue();
      assertThat(names(ps.executeQuery())).containsExactly("two-a");
      current.set(TenantContext.admin());
      assertThat(names(ps.executeQuery())).containsExactly("one-a", "one-b", "two-a");
      assertThat(c.getAutoCommit()).isTrue();
    }
  }

  @Test
  void data_source_refuses_a_null_context() throws SQLException {
    TenantDataSource ds = new TenantDataSource(pool, TenantSettings.defaults(), () -> null);
    try (Connection c = ds.getConnection()) {
      assertThatThrownBy(() -> names(c)).hasMessageContaining("return TenantContext.none()");
    }
  }

  @Test
  void context_travels_with_the_first_prepared_statement() throws SQLException {
    List<String> rows =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement("select name from sites where id > ? order by id")) {
                ps.setLong(1, 1);
                assertThat(ps.execute()).isTrue();
                assertThat(ps.getUpdateCount()).isEqualTo(-1);
                return names(ps.getResultSet());
              }
            });
    assertThat(rows).containsExactly("one-b");
    int updated =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant("1"),
            c -> {
              try (PreparedStatement ps = c.prepareStatement("update sites set name = name")) {
                return ps.executeUpdate();
              }
            });
    assertThat(updated).isEqualTo(2);
  }

  @Test
  void context_value_is_sent_as_is_whatever_it_holds() throws SQLException {
    String odd = "o'brien\\n; drop table sites; --";
    String seen =
        Tenancy.inTenant(
            pool,
            TenantContext.tenant(odd),
            c -> single(c, "select current_setting('app.current_tenant')"));
    assertThat(seen).isEqualTo(odd);
  }

  @Test
  void prepared_statement_reused_across_transactions_follows_the_context() throws SQLException {
    AtomicReference<TenantContext> current = new AtomicReference<>(TenantContext.tenant("1"));
    TenantDataSource ds = new TenantDataSource(pool, TenantSettings.defaults(), current::get);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("select name from sites order by id")) {
      c.setAutoCommit(false);
      assertThat(names(ps.executeQuery())).containsExactly("one-a", "one-b");
      assertThat(names(ps.executeQuery())).containsExactly("one-a", "one-b");
      c.commit();
      current.set(TenantContext.tenant("2"));
      assertThat(names(ps.executeQuery())).containsExactly("two-a");
      c.rollback();
      current.set(TenantContext.none());
      assertThat(names(ps.executeQuery())).isEmpty();
      c.rollback();
    }
  }

  @Test
  void batch_and_generated_keys_get_the_context_ahead() throws SQLException {
    TenantContext one = TenantContext.tenant("1");
    int[] batch =
        Tenancy.inTenant(
            pool,
            one,
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement("update sites set name = name where id = ?")) {
                ps.setLong(1, 1);
                assertThat(ps.executeUpdate()).isEqualTo(1); // carries the context
                for (long id : new long[] {1, 2, 3}) {
                  ps.setLong(1, id);
                  ps.addBatch();
                }
                return ps.executeBatch();
              }
            });
    assertThat(batch).containsExactly(1, 1, 0);
    assertThatThrownBy(
            () ->
                Tenancy.inTenant(
                    pool,
                    one,
                    c -> {
                      try (PreparedStatement ps =
                          c.prepareStatement(
                              "insert into sites values (8, 2, 'x')",
                              Statement.RETURN_GENERATED_KEYS)) {
                        return ps.executeUpdate();
                      }
                    }))
        .hasMessageContaining("row-level security");
  }

  private static List<String> names(TenantContext context) throws SQLException {
    return Tenancy.inTenant(pool, context, TenancyIT::names);
  }

  private static List<String> names(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      return names(s.executeQuery("select name from sites order by id"));
    }
  }

  private static List<String> names(ResultSet rs) throws SQLException {
    List<String> names = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static int update(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  private static long backendPid(Connection c) throws SQLException {
    return Long.parseLong(single(c, "select pg_backend_pid()"));
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
