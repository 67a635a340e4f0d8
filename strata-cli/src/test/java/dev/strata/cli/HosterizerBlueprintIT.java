package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.strata.core.tenant.TenantContext;
import dev.strata.jdbc.pool.PoolSettings;
import dev.strata.jdbc.pool.PooledDataSources;
import dev.strata.jdbc.tenant.Tenancy;
import dev.strata.jdbc.tenant.TenantSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Seed 004's blueprint, examples/hosterizer: its README runs as written (migrations, tenancy verify
 * / plan / test, reset with the sample data, a switchover and a failover drill on the two nodes),
 * then, on the stack the README left running, the seed's pool settings as a strata-jdbc pool
 * through PgBouncer that keeps each tenant to its rows, reads on the replica, and the same pool
 * still serving after a change of leader.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class HosterizerBlueprintIT {
  private static final Path README = DocSession.CHECKOUT.resolve("examples/hosterizer/README.md");

  /**
   * The seed's Go pool (MaxOpenConns 25, MaxIdleConns 5, 5 and 10 minutes), as the README has it.
   */
  private static final PoolSettings SEED_POOL =
      PoolSettings.DEFAULTS
          .withMaximumPoolSize(25)
          .withMinimumIdle(5)
          .withMaxLifetime(Duration.ofMinutes(5))
          .withIdleTimeout(Duration.ofSeconds(30));

  private static final TenantSettings RLS =
      new TenantSettings(
          "app.current_customer_id", "app.current_user_role", "hosterizer_tenant_admin");

  private static DocSession session;
  private static Path project;
  private static Map<String, String> env;

  @BeforeAll
  static void runTheReadme() throws Exception {
    session = DocSession.run(DocPage.read(README));
    project = session.root().resolve("examples/hosterizer");
    Cli printed = Cli.run(project, "env", "--format", "json");
    assertThat(printed.exitCode()).as(printed.toString()).isZero();
    env = new ObjectMapper().readValue(printed.out(), new TypeReference<Map<String, String>>() {});
  }

  @AfterAll
  static void down() throws Exception {
    if (session != null) {
      session.close();
    }
  }

  @Test
  @Order(1)
  void the_readme_runs_as_written() {
    assertThat(session.problems()).as(String.join("\n\n", session.problems())).isEmpty();
  }

  @Test
  @Order(2)
  void the_readme_shows_the_pool_this_test_builds() throws Exception {
    String page = Files.readString(README);
    assertThat(page)
        .contains(
            "PooledDataSources.primary(System.getenv(), PoolSettings.DEFAULTS\n"
                + "    .withMaximumPoolSize(25).withMinimumIdle(5)\n"
                + "    .withMaxLifetime(Duration.ofMinutes(5)).withIdleTimeout(Duration.ofSeconds(30)));")
        .contains(
            "new TenantSettings(\n"
                + "    \"app.current_customer_id\", \"app.current_user_role\","
                + " \"hosterizer_tenant_admin\");");
  }

  @Test
  @Order(3)
  void the_seed_pool_goes_through_pgbouncer_and_keeps_each_customer_to_its_sites()
      throws Exception {
    try (HikariDataSource pool = PooledDataSources.primary(env, SEED_POOL)) {
      assertThat(pool.getMaximumPoolSize()).isEqualTo(25);
      assertThat(pool.getMinimumIdle()).isEqualTo(5);
      assertThat(pool.getMaxLifetime()).isEqualTo(Duration.ofMinutes(5).toMillis());
      assertThat(pool.getIdleTimeout()).isEqualTo(Duration.ofSeconds(30).toMillis());
      assertThat(pool.getJdbcUrl()).isEqualTo(env.get("JDBC_DATABASE_URL"));
      assertThat(sites(pool, "1")).containsExactly("acme-shop", "acme-blog");
      assertThat(sites(pool, "2")).containsExactly("globex-store");
      assertThat(sites(pool, "3")).isEmpty();
      try (Connection c = pool.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select current_user, (select count(*) from sites)")) {
        rs.next();
        assertThat(rs.getString(1))
            .as("the app role, not the owner")
            .isEqualTo(env.get("JDBC_DATABASE_USERNAME"));
        assertThat(rs.getLong(2)).as("no customer set: no site").isZero();
      }
    }
  }

  @Test
  @Order(3)
  void rows_of_a_site_belong_to_its_customer_through_sites() throws Exception {
    try (HikariDataSource pool =
        PooledDataSources.primary(env, PoolSettings.DEFAULTS.withMaximumPoolSize(2))) {
      String one =
          Tenancy.inTenant(
              pool,
              RLS,
              TenantContext.tenant("1"),
              c ->
                  single(
                      c,
                      "select (select count(*) from deployments) || ' '"
                          + " || (select count(*) from ecommerce_integrations)"));
      String two =
          Tenancy.inTenant(
              pool,
              RLS,
              TenantContext.tenant("2"),
              c ->
                  single(
                      c,
                      "select (select count(*) from deployments) || ' '"
                          + " || (select count(*) from ecommerce_integrations)"));
      assertThat(one).as("Acme: 2 deployments, 1 integration").isEqualTo("2 1");
      assertThat(two).as("Globex: 1 deployment, 1 integration").isEqualTo("1 1");
    }
  }

  @Test
  @Order(3)
  void the_extensions_init_db_enabled_are_there() throws Exception {
    try (HikariDataSource direct =
        PooledDataSources.direct(env, PoolSettings.DEFAULTS.withMaximumPoolSize(1))) {
      try (Connection c = direct.getConnection()) {
        assertThat(
                single(
                    c,
                    "select string_agg(extname, ',' order by extname) from pg_extension"
                        + " where extname in ('pgcrypto', 'uuid-ossp')"))
            .isEqualTo("pgcrypto,uuid-ossp");
        assertThat(single(c, "select length(uuid_generate_v4()::text)")).isEqualTo("36");
        assertThat(single(c, "select length(encode(gen_random_bytes(16), 'hex'))")).isEqualTo("32");
      }
    }
  }

  @Test
  @Order(4)
  void the_replica_pool_reads_on_a_replica_with_the_same_isolation() throws Exception {
    try (HikariDataSource replica =
        PooledDataSources.replica(env, PoolSettings.DEFAULTS.withMaximumPoolSize(2))) {
      String inRecovery =
          Tenancy.inTenant(
              replica,
              RLS,
              TenantContext.tenant("1"),
              c -> single(c, "select pg_is_in_recovery()"));
      assertThat(inRecovery).as("the replica pool reads on a standby").isEqualTo("t");
      assertThat(sites(replica, "1")).containsExactly("acme-shop", "acme-blog");
    }
  }

  @Test
  @Order(5)
  void after_a_switchover_the_same_pool_writes_on_the_new_leader() throws Exception {
    try (HikariDataSource pool = PooledDataSources.primary(env, SEED_POOL)) {
      String before =
          Tenancy.inTenant(
              pool,
              RLS,
              TenantContext.tenant("1"),
              c -> single(c, "select current_setting('port')"));
      Cli switched = Cli.run(project, "switchover");
      assertThat(switched.exitCode()).as(switched.toString()).isZero();
      String after =
          Tenancy.inTenant(
              pool,
              RLS,
              TenantContext.tenant("1"),
              c -> {
                try (Statement s = c.createStatement()) {
                  s.executeUpdate("update sites set status = 'active' where id = 1");
                }
                return single(c, "select current_setting('port') || ' ' || pg_is_in_recovery()");
              });
      assertThat(after).endsWith(" false").doesNotStartWith(before + " ");
    }
  }

  private static List<String> sites(javax.sql.DataSource ds, String customer) throws SQLException {
    return Tenancy.inTenant(
        ds,
        RLS,
        TenantContext.tenant(customer),
        c -> {
          List<String> names = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("select name from sites order by id")) {
            while (rs.next()) {
              names.add(rs.getString(1));
            }
          }
          return names;
        });
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
