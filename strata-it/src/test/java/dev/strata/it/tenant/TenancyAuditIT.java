package dev.strata.it.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import dev.strata.core.spec.TenancySpec;
import dev.strata.jdbc.tenant.audit.Finding;
import dev.strata.jdbc.tenant.audit.Severity;
import dev.strata.jdbc.tenant.audit.TenancyAudit;
import dev.strata.jdbc.tenant.audit.TenancyPlan;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code strata tenancy verify}'s audit against deliberately broken schemas: each finding appears
 * for the broken object and is gone once it is fixed.
 */
@StrataTest(yaml = "tenancy:\n  column: customer_id\n")
final class TenancyAuditIT {

  @Test
  void table_without_rls_is_critical_until_the_plan_is_applied(StrataStack stack)
      throws SQLException {
    owner(stack, table("a_plain"));
    assertThat(about(stack, "public.a_plain"))
        .anySatisfy(f -> is(f, Severity.CRITICAL, "row-level security is not enabled"))
        .anySatisfy(f -> is(f, Severity.HIGH, "no permissive policy for DELETE, INSERT, SELECT"))
        .anySatisfy(f -> is(f, Severity.WARNING, "no index leads with the policy column"));
    applyPlan(stack);
    assertThat(about(stack, "public.a_plain")).isEmpty();
  }

  @Test
  void rls_not_forced_is_high(StrataStack stack) throws SQLException {
    owner(stack, table("a_unforced"));
    applyPlan(stack);
    owner(stack, "alter table a_unforced no force row level security");
    assertThat(about(stack, "public.a_unforced"))
        .singleElement()
        .satisfies(f -> is(f, Severity.HIGH, "not forced: its owner app_owner bypasses"));
    owner(stack, "alter table a_unforced force row level security");
    assertThat(about(stack, "public.a_unforced")).isEmpty();
  }

  @Test
  void command_without_policy_is_high(StrataStack stack) throws SQLException {
    owner(stack, table("a_select_only"));
    owner(
        stack,
        "alter table a_select_only enable row level security;"
            + "alter table a_select_only force row level security;"
            + "create index on a_select_only (customer_id);"
            + "create policy reads on a_select_only for select using (customer_id ="
            + " nullif(current_setting('app.current_tenant', true), '')::bigint)");
    assertThat(about(stack, "public.a_select_only"))
        .singleElement()
        .satisfies(f -> is(f, Severity.HIGH, "no permissive policy for DELETE, INSERT, UPDATE"));
    applyPlan(stack);
    assertThat(about(stack, "public.a_select_only")).isEmpty();
  }

  @Test
  void policy_that_ignores_the_tenant_is_critical(StrataStack stack) throws SQLException {
    owner(stack, table("a_open"));
    applyPlan(stack);
    owner(stack, "create policy everyone on a_open for select using (true)");
    assertThat(about(stack, "public.a_open"))
        .singleElement()
        .satisfies(
            f -> is(f, Severity.CRITICAL, "policy everyone does not check app.current_tenant"));
    owner(stack, "drop policy everyone on a_open");
    assertThat(about(stack, "public.a_open")).isEmpty();
  }

  @Test
  void policy_column_without_index_is_a_warning(StrataStack stack) throws SQLException {
    owner(stack, table("a_unindexed"));
    applyPlan(stack);
    owner(stack, "drop index a_unindexed_customer_id_tenant_idx");
    assertThat(about(stack, "public.a_unindexed"))
        .singleElement()
        .satisfies(
            f -> is(f, Severity.WARNING, "no index leads with the policy column customer_id"));
    applyPlan(stack);
    assertThat(about(stack, "public.a_unindexed")).isEmpty();
  }

  @Test
  void nullable_tenant_column_is_a_warning(StrataStack stack) throws SQLException {
    owner(stack, "create table a_nullable (id bigint primary key, customer_id bigint)");
    applyPlan(stack);
    assertThat(about(stack, "public.a_nullable"))
        .singleElement()
        .satisfies(f -> is(f, Severity.WARNING, "allows NULL"));
    owner(stack, "alter table a_nullable alter column customer_id set not null");
    assertThat(about(stack, "public.a_nullable")).isEmpty();
  }

  @Test
  void view_that_is_not_security_invoker_is_critical(StrataStack stack) throws SQLException {
    owner(stack, table("a_viewed"));
    applyPlan(stack);
    owner(stack, "create view a_viewed_names as select name from a_viewed");
    assertThat(about(stack, "public.a_viewed_names"))
        .singleElement()
        .satisfies(f -> is(f, Severity.CRITICAL, "is not security_invoker"));
    owner(stack, "alter view a_viewed_names set (security_invoker = true)");
    assertThat(about(stack, "public.a_viewed_names")).isEmpty();
  }

  @Test
  void materialized_view_readable_by_the_app_is_critical(StrataStack stack) throws SQLException {
    owner(stack, table("a_copied"));
    applyPlan(stack);
    owner(stack, "create materialized view a_copied_all as select * from a_copied");
    owner(stack, "grant select on a_copied_all to app_app");
    assertThat(about(stack, "public.a_copied_all"))
        .singleElement()
        .satisfies(f -> is(f, Severity.CRITICAL, "holds every tenant's rows and has no RLS"));
    owner(stack, "revoke select on a_copied_all from app_app");
    assertThat(about(stack, "public.a_copied_all")).isEmpty();
  }

  @Test
  void security_definer_function_reading_tenant_rows_is_high(StrataStack stack)
      throws SQLException {
    owner(stack, table("a_counted"));
    applyPlan(stack);
    owner(
        stack,
        "create function a_counted_total() returns bigint language sql security definer"
            + " as 'select count(*) from a_counted'");
    assertThat(about(stack, "a_counted_total()"))
        .singleElement()
        .satisfies(f -> is(f, Severity.HIGH, "reads tenant tables [a_counted]"));
    owner(stack, "revoke execute on function a_counted_total() from public");
    assertThat(about(stack, "a_counted_total()")).isEmpty();
  }

  @Test
  void app_role_in_the_owner_role_is_critical(StrataStack stack) throws Exception {
    owner(stack, table("a_owned"));
    applyPlan(stack);
    superuser(stack, "grant app_owner to app_app");
    try {
      assertThat(about(stack, "app_app"))
          .singleElement()
          .satisfies(f -> is(f, Severity.CRITICAL, "member of app_owner, which owns"));
    } finally {
      superuser(stack, "revoke app_owner from app_app");
    }
    assertThat(about(stack, "app_app")).isEmpty();
  }

  @Test
  void app_role_with_bypassrls_is_critical(StrataStack stack) throws Exception {
    owner(stack, table("a_bypassed"));
    applyPlan(stack);
    superuser(stack, "alter role app_app bypassrls");
    try {
      assertThat(about(stack, "app_app"))
          .singleElement()
          .satisfies(f -> is(f, Severity.CRITICAL, "has BYPASSRLS"));
    } finally {
      superuser(stack, "alter role app_app nobypassrls");
    }
    assertThat(about(stack, "app_app")).isEmpty();
  }

  @Test
  void table_neither_listed_nor_shared_is_critical(StrataStack stack) throws SQLException {
    owner(stack, table("b_listed") + ";" + table("b_forgotten"));
    applyPlan(stack);
    TenancySpec listed = spec(stack, Optional.of(List.of("b_listed")), List.of());
    assertThat(about(stack, listed, "public.b_forgotten"))
        .singleElement()
        .satisfies(f -> is(f, Severity.CRITICAL, "neither a tenant table nor shared"));
    TenancySpec shared = spec(stack, Optional.of(List.of("b_listed")), List.of("b_forgotten"));
    assertThat(about(stack, shared, "public.b_forgotten")).isEmpty();
  }

  @Test
  void listed_table_without_its_column_is_refused(StrataStack stack) throws SQLException {
    owner(stack, "create table c_untenanted (id bigint primary key)");
    TenancySpec listed = spec(stack, Optional.of(List.of("c_untenanted")), List.of());
    assertThatThrownBy(() -> about(stack, listed, "x"))
        .isInstanceOf(StrataException.class)
        .hasMessage("tenancy.tables lists c_untenanted, but it has no column customer_id");
    TenancySpec missing = spec(stack, Optional.of(List.of("c_missing")), List.of());
    assertThatThrownBy(() -> about(stack, missing, "x"))
        .hasMessage("tenancy.tables lists c_missing, but schema public has no such table");
  }

  private static String table(String name) {
    return "create table "
        + name
        + " (id bigint primary key, customer_id bigint not null, name text not null)";
  }

  private static void is(Finding f, Severity severity, String problem) {
    assertThat(f.severity()).isEqualTo(severity);
    assertThat(f.problem()).contains(problem);
    assertThat(f.fix()).isNotBlank();
  }

  private static TenancySpec spec(
      StrataStack stack, Optional<List<String>> tables, List<String> shared) {
    TenancySpec s = stack.stack().spec().tenancy();
    return new TenancySpec(
        s.schema(),
        s.column(),
        s.columns(),
        tables,
        shared,
        s.tenantSetting(),
        s.roleSetting(),
        s.adminRole());
  }

  private static List<Finding> about(StrataStack stack, String object) throws SQLException {
    return about(stack, stack.stack().spec().tenancy(), object);
  }

  private static List<Finding> about(StrataStack stack, TenancySpec spec, String object)
      throws SQLException {
    try (Connection owner = stack.connect(stack.env().direct())) {
      List<Finding> all = TenancyAudit.run(owner, spec, "app_app");
      List<Finding> about = new ArrayList<>();
      all.stream().filter(f -> f.object().equals(object)).forEach(about::add);
      return about;
    }
  }

  private static void applyPlan(StrataStack stack) throws SQLException {
    try (Connection owner = stack.connect(stack.env().direct());
        Statement s = owner.createStatement()) {
      TenancyPlan plan = TenancyPlan.plan(owner, stack.stack().spec().tenancy());
      assertThat(plan.isEmpty()).isFalse();
      s.execute(plan.up());
    }
  }

  private static void owner(StrataStack stack, String sql) throws SQLException {
    try (Connection owner = stack.connect(stack.env().direct());
        Statement s = owner.createStatement()) {
      s.execute(sql);
    }
  }

  private static void superuser(StrataStack stack, String sql) throws Exception {
    List<String> command = new ArrayList<>(stack.stack().superuserPsql("app"));
    command.addAll(List.of("-X", "-v", "ON_ERROR_STOP=1", "-c", sql));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("psql failed: " + output);
    }
  }
}
