package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code strata tenancy plan|verify|test} on a stack, in the order a team uses them: verify finds
 * the unprotected tables, plan writes the migration, and once it is applied verify and test pass.
 * The names are the Hosterizer seed's.
 */
@StrataTest(
    yaml =
        """
        postgres:
          port: 0
        pooler:
          port: 0
        redis:
          port: 0
        tenancy:
          column: customer_id
          columns: {customers: id}
          tables: [customers, sites]
          shared: [notes]
          tenant_setting: app.current_customer_id
          role_setting: app.current_user_role
          admin_role: administrator
        """)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class TenancyCommandIT {
  private static final String SCHEMA =
      """
      create table customers (id bigint primary key, name text not null);
      create table sites (
        id bigint generated always as identity primary key,
        customer_id bigint not null references customers (id),
        domain text not null unique);
      create table notes (id bigint primary key, customer_id bigint, body text);
      insert into customers values (1, 'Acme'), (2, 'Globex'), (3, 'Initech');
      insert into sites (customer_id, domain)
        values (1, 'acme.test'), (1, 'shop.acme.test'), (2, 'globex.test'), (3, 'initech.test');
      """;

  @BeforeAll
  static void schema(StrataStack stack) throws Exception {
    Path migrations = Files.createDirectories(stack.home().resolve("migrations"));
    Files.writeString(migrations.resolve("000001_schema.up.sql"), SCHEMA);
    Files.writeString(migrations.resolve("000001_schema.down.sql"), "drop table sites, customers;");
    apply(stack, migrations.resolve("000001_schema.up.sql"));
  }

  @AfterAll
  static void removeMigrations(StrataStack stack) throws IOException {
    for (String name : new String[] {"migrations", "other.yaml"}) {
      Path path = stack.home().resolve(name);
      if (Files.exists(path)) {
        try (Stream<Path> files = Files.walk(path)) {
          for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(f);
          }
        }
      }
    }
  }

  @Test
  @Order(1)
  void verify_reports_unprotected_tables(StrataStack stack) {
    Run run = strata(stack, "tenancy", "verify");
    assertThat(run.code).isEqualTo(1);
    assertThat(run.out)
        .contains("CRITICAL  public.customers  row-level security is not enabled")
        .contains("CRITICAL  public.sites      row-level security is not enabled")
        .contains("fix: run `strata tenancy plan` and apply the migration it writes")
        .contains("WARNING   public.sites      no index leads with the policy column customer_id");
  }

  @Test
  @Order(2)
  void plan_writes_the_next_migration_which_verify_then_accepts(StrataStack stack)
      throws Exception {
    Run run = strata(stack, "tenancy", "plan");
    assertThat(run.code).isZero();
    assertThat(run.out)
        .contains("wrote migrations/000002_tenant_isolation.up.sql and its .down.sql")
        .contains("isolates customers, sites");
    Path up = stack.home().resolve("migrations/000002_tenant_isolation.up.sql");
    assertThat(Files.readString(up))
        .contains("alter table public.sites force row level security;")
        .contains("current_setting('app.current_customer_id', true)")
        .contains("current_setting('app.current_user_role', true) = 'administrator'")
        .contains("create index if not exists sites_customer_id_tenant_idx");
    assertThat(stack.home().resolve("migrations/000002_tenant_isolation.down.sql")).exists();
    apply(stack, up);
    Run verify = strata(stack, "tenancy", "verify");
    assertThat(verify.out).isEqualTo("tenant isolation verified: no findings\n");
    assertThat(verify.code).isZero();
  }

  @Test
  @Order(3)
  void plan_again_writes_nothing(StrataStack stack) throws IOException {
    Run run = strata(stack, "tenancy", "plan");
    assertThat(run.code).isZero();
    assertThat(run.out).contains("every tenant table is isolated already: nothing to write");
    try (Stream<Path> files = Files.list(stack.home().resolve("migrations"))) {
      assertThat(files.count()).isEqualTo(4);
    }
  }

  @Test
  @Order(4)
  void test_proves_isolation_and_fuzzing_finds_no_leak(StrataStack stack) {
    Run run = strata(stack, "tenancy", "test", "--fuzz", "300", "--seed", "7");
    assertThat(run.code).as(run.out + run.err).isZero();
    assertThat(run.out)
        .containsPattern("public.sites +select A's rows +tenant B +0 rows +0 rows +ok")
        .containsPattern("public.sites +insert a row for A +tenant B +denied +denied by policy +ok")
        .containsPattern("public.sites +move A's rows to B +tenant A +denied +denied by policy +ok")
        .containsPattern("public.sites +select any row +no tenant +0 rows +0 rows +ok")
        .containsPattern(
            "public.customers +insert a row for A +no tenant +denied +denied by policy")
        .containsPattern(
            "public.sites +select every tenant +admin +4 rows \\(3 tenants\\) +4 rows +ok")
        .contains("fuzz: 300 random cross-tenant attempts (seed 7), 0 leaks, 0 unexpected errors")
        .endsWith("tenant isolation holds\n")
        .doesNotContain("LEAK");
  }

  @Test
  @Order(5)
  void test_reports_leaks_when_rls_is_off(StrataStack stack) throws SQLException {
    owner(stack, "alter table sites disable row level security");
    try {
      Run run = strata(stack, "tenancy", "test", "--fuzz", "50", "--seed", "1");
      assertThat(run.code).isEqualTo(1);
      assertThat(run.out)
          .containsPattern("public.sites +select A's rows +tenant B +0 rows +2 rows +LEAK")
          .containsPattern("fuzz: 50 random cross-tenant attempts \\(seed 1\\), [1-9]\\d* leaks")
          .endsWith("TENANT ISOLATION FAILED\n");
      assertThat(strata(stack, "tenancy", "verify").code).isEqualTo(1);
    } finally {
      owner(stack, "alter table sites enable row level security");
    }
  }

  @Test
  @Order(6)
  void table_without_rows_is_reported_as_not_tested(StrataStack stack) throws IOException {
    writeOther(
        stack,
        "  column: customer_id\n  columns: {customers: id}\n  tables: [customers, sites, notes]\n");
    Run run = strata(stack, "-f", "other.yaml", "tenancy", "test");
    assertThat(run.code).isEqualTo(1);
    assertThat(run.out)
        .contains("not tested: public.notes: no rows, even as admin: add rows (seed data)")
        .endsWith("TENANT ISOLATION FAILED\n");
  }

  @Test
  void negative_fuzz_is_refused(StrataStack stack) {
    Run run = strata(stack, "tenancy", "test", "--fuzz", "-1");
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err).contains("strata: --fuzz must not be negative, but was -1");
  }

  @Test
  void unknown_database_is_refused(StrataStack stack) {
    Run run = strata(stack, "tenancy", "verify", "-d", "nope");
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err).contains("no database 'nope' in strata.yaml");
  }

  @Test
  void no_table_with_the_tenant_column_is_refused(StrataStack stack) throws IOException {
    writeOther(stack, "  column: tenant_uuid\n");
    Run run = strata(stack, "-f", "other.yaml", "tenancy", "plan");
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err)
        .contains("strata: no tenant table in schema public: no table has the column tenant_uuid")
        .contains("fix: apply the migrations that create the tenant tables");
  }

  private static void writeOther(StrataStack stack, String tenancy) throws IOException {
    Files.writeString(
        stack.home().resolve("other.yaml"),
        "postgres:\n  port: 0\npooler:\n  port: 0\nredis:\n  port: 0\ntenancy:\n" + tenancy);
  }

  private record Run(int code, String out, String err) {}

  private static Run strata(StrataStack stack, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(stack.home(), new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private static void apply(StrataStack stack, Path migration) throws Exception {
    owner(stack, Files.readString(migration));
  }

  private static void owner(StrataStack stack, String sql) throws SQLException {
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
