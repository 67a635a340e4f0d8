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
        .anySatisfy(f -> is(f, Severity.WARNING, "no valid, non-partial index leads with"));
    applyPlan(stack);
    assertThat(about(stack, "public.a_plain")).isEmpty();
  }

  @Test
  void a_column_in_two_indexes_is_audited(StrataStack stack) throws SQLException {
    // regression: two indexes on the tenant column (a duplicate index) listed it twice, and the
    // audit failed with "duplicate element" instead of auditing
    owner(stack, table("a_two_indexes"));
    applyPlan(stack);
    owner(stack, "create index a_two_indexes_again on a_two_indexes (customer_id)");
    assertThat(about(stack, "public.a_two_indexes")).isEmpty();
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
        .satisfies(
            f -> is(f, Severity.HIGH, "no permissive policy restricting DELETE, INSERT, UPDATE"));
    applyPlan(stack);
    assertThat(about(stack, "public.a_select_only"))
        .singleElement()
        .satisfies(f -> is(f, Severity.WARNING, "2 permissive policies apply to SELECT"));
    owner(stack, "drop policy reads on a_select_only");
    assertThat(about(stack, "public.a_select_only")).isEmpty();
  }

  @Test
  void policy_that_ignores_the_tenant_is_critical(StrataStack stack) throws SQLException {
    owner(stack, table("a_open"));
    applyPlan(stack);
    owner(stack, "create policy everyone on a_open for select using (true)");
    assertThat(about(stack, "public.a_open"))
        .anySatisfy(f -> is(f, Severity.WARNING, "2 permissive policies apply to SELECT"))
        .anySatisfy(
            f ->
                is(
                    f,
                    Severity.CRITICAL,
                    "USING of permissive policy everyone on public.a_open (true) does not restrict"));
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
            f ->
                is(
                    f,
                    Severity.WARNING,
                    "non-partial index leads with the policy column customer_id"));
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
  void nullable_parent_key_is_a_notice_and_its_rows_are_hidden_from_every_tenant(StrataStack stack)
      throws Exception {
    owner(
        stack,
        table("g_sites")
            + "; create table g_links (id bigint primary key,"
            + " site_id bigint references g_sites (id));"
            + " create index on g_links (site_id)");
    applyPlan(stack);
    assertThat(about(stack, "public.g_links"))
        .singleElement()
        .satisfies(f -> is(f, Severity.NOTICE, "rows without a parent are visible to no tenant"))
        .satisfies(f -> assertThat(f.severity().fails()).isFalse());
    // Only a role that bypasses RLS can write the ownerless row: the policy's WITH CHECK refuses
    // a NULL key to every tenant.
    superuser(
        stack,
        "insert into g_sites values (1, 7, 'a'); insert into g_links values (1, 1), (2, null)");
    // RLS is forced, so the owner's session is a tenant session too: tenant 7 sees its site's
    // link and not the ownerless one, and no tenant value shows the ownerless row.
    try (Connection owner = stack.connect(stack.env().direct());
        Statement s = owner.createStatement()) {
      owner.setAutoCommit(false);
      s.execute("select set_config('app.current_tenant', '7', true)");
      try (var rs = s.executeQuery("select array_agg(id order by id)::text from g_links")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("{1}");
      }
      s.execute("select set_config('app.current_tenant', '', true)");
      try (var rs = s.executeQuery("select count(*) from g_links")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
      owner.rollback();
    }
    owner(stack, "drop table g_links; drop table g_sites");
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
        .anySatisfy(f -> is(f, Severity.HIGH, "reads tenant tables [a_counted]"))
        .anySatisfy(f -> is(f, Severity.HIGH, "has no fixed search_path"));
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
          .anySatisfy(f -> is(f, Severity.CRITICAL, "member of app_owner, which owns"));
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
  void with_check_true_is_critical_though_using_restricts(StrataStack stack) throws SQLException {
    owner(stack, table("d_checked"));
    applyPlan(stack);
    owner(
        stack,
        "create policy leak on d_checked for all using (customer_id ="
            + " nullif(current_setting('app.current_tenant', true), '')::bigint) with check (true)");
    assertThat(about(stack, "public.d_checked"))
        .anySatisfy(
            f ->
                is(
                    f,
                    Severity.CRITICAL,
                    "WITH CHECK of permissive policy leak on public.d_checked"))
        .noneSatisfy(f -> assertThat(f.problem()).startsWith("USING"));
    owner(stack, "drop policy leak on d_checked");
    assertThat(about(stack, "public.d_checked")).isEmpty();
  }

  @Test
  void permissive_policy_that_only_asks_for_a_setting_is_critical(StrataStack stack)
      throws SQLException {
    owner(stack, table("d_any"));
    applyPlan(stack);
    owner(
        stack,
        "create policy leak on d_any for select"
            + " using (current_setting('app.current_tenant', true) is not null)");
    assertThat(about(stack, "public.d_any"))
        .anySatisfy(f -> is(f, Severity.CRITICAL, "USING of permissive policy leak"));
    owner(stack, "drop policy leak on d_any");
    assertThat(about(stack, "public.d_any")).isEmpty();
  }

  @Test
  void policy_for_another_role_does_not_count_and_one_trusting_the_role_setting_is_critical(
      StrataStack stack) throws SQLException {
    owner(stack, table("d_roles"));
    owner(
        stack,
        "alter table d_roles enable row level security; alter table d_roles force row level"
            + " security; create index on d_roles (customer_id);"
            + " create policy other on d_roles for all to app_owner using (customer_id ="
            + " nullif(current_setting('app.current_tenant', true), '')::bigint)");
    assertThat(about(stack, "public.d_roles"))
        .singleElement()
        .satisfies(f -> is(f, Severity.HIGH, "no permissive policy restricting DELETE, INSERT"));
    owner(
        stack,
        "drop policy other on d_roles; create policy old on d_roles using (customer_id ="
            + " nullif(current_setting('app.current_tenant', true), '')::bigint"
            + " or current_setting('app.current_role', true) = 'admin')");
    assertThat(about(stack, "public.d_roles"))
        .anySatisfy(f -> is(f, Severity.CRITICAL, "trusts app.current_role, which any session"));
    owner(stack, "drop policy old on d_roles");
  }

  @Test
  void truncate_references_and_trigger_grants_are_found_for_app_and_readonly(StrataStack stack)
      throws SQLException {
    owner(stack, table("d_truncated"));
    applyPlan(stack);
    owner(
        stack,
        "grant truncate on d_truncated to app_app; grant trigger on d_truncated to app_readonly");
    assertThat(aboutBoth(stack, "public.d_truncated"))
        .anySatisfy(f -> is(f, Severity.CRITICAL, "app_app has TRUNCATE: TRUNCATE ignores RLS"))
        .anySatisfy(f -> is(f, Severity.HIGH, "app_readonly has TRIGGER"));
    owner(
        stack,
        "revoke truncate on d_truncated from app_app; revoke trigger on d_truncated from"
            + " app_readonly");
    assertThat(aboutBoth(stack, "public.d_truncated")).isEmpty();
  }

  @Test
  void tenant_setting_defaulted_for_a_role_or_the_database_is_found(StrataStack stack)
      throws Exception {
    owner(stack, table("d_defaults"));
    applyPlan(stack);
    superuser(stack, "alter role app_app set app.\"current_role\" = 'admin'");
    // Superuser only: PostgreSQL 15 lets no one else default a custom setting for a role or
    // database.
    superuser(stack, "alter database app set app.current_tenant = '1'");
    try {
      List<Finding> all = all(stack);
      assertThat(all)
          .anySatisfy(
              f -> {
                assertThat(f.object()).isEqualTo("app_app in every database");
                is(f, Severity.HIGH, "has the default app.current_role=admin");
              })
          .anySatisfy(
              f -> {
                assertThat(f.object()).isEqualTo("every role in app");
                is(f, Severity.CRITICAL, "every statement without a context runs as that tenant");
              });
    } finally {
      superuser(stack, "alter role app_app reset app.\"current_role\"");
      superuser(stack, "alter database app reset app.current_tenant");
    }
    assertThat(all(stack)).noneSatisfy(f -> assertThat(f.problem()).contains("has the default"));
  }

  @Test
  void membership_in_a_bypassrls_role_even_inherited_is_critical(StrataStack stack)
      throws Exception {
    owner(stack, table("d_member"));
    applyPlan(stack);
    superuser(
        stack,
        "create role d_bypass nologin bypassrls; create role d_middle nologin;"
            + " grant d_bypass to d_middle; grant d_middle to app_readonly");
    try {
      assertThat(aboutBoth(stack, "app_readonly"))
          .singleElement()
          .satisfies(f -> is(f, Severity.CRITICAL, "member of d_bypass, which has BYPASSRLS"));
    } finally {
      superuser(stack, "drop role d_middle; drop role d_bypass");
    }
    assertThat(aboutBoth(stack, "app_readonly")).isEmpty();
  }

  @Test
  void admin_role_granted_to_the_app_is_a_notice_and_to_readonly_high(StrataStack stack)
      throws SQLException {
    owner(stack, table("d_admin"));
    applyPlan(stack);
    owner(stack, "grant app_tenant_admin to app_app, app_readonly");
    try {
      assertThat(aboutBoth(stack, "app_app"))
          .singleElement()
          .satisfies(f -> is(f, Severity.NOTICE, "member of the admin role app_tenant_admin"));
      assertThat(aboutBoth(stack, "app_readonly"))
          .singleElement()
          .satisfies(f -> is(f, Severity.HIGH, "member of the admin role app_tenant_admin"));
    } finally {
      owner(stack, "revoke app_tenant_admin from app_app, app_readonly");
    }
  }

  @Test
  void partial_index_is_not_the_tenant_index_and_the_plan_builds_one_concurrently(StrataStack stack)
      throws SQLException {
    owner(
        stack,
        table("d_partial").replace("name text not null", "name text not null, deleted_at date")
            + "; create index d_partial_live on d_partial (customer_id) where deleted_at is null");
    try (Connection owner = stack.connect(stack.env().direct())) {
      TenancyPlan plan = TenancyPlan.plan(owner, stack.stack().spec().tenancy());
      assertThat(plan.indexUp())
          .startsWith("-- strata:no-transaction\n")
          .contains(
              "create index concurrently if not exists d_partial_customer_id_tenant_idx on"
                  + " public.d_partial (customer_id);");
      assertThat(plan.up()).doesNotContain("create index");
    }
    applyPlan(stack);
    assertThat(about(stack, "public.d_partial")).isEmpty();
  }

  @Test
  void child_table_is_isolated_through_its_parent_and_a_table_without_path_is_high(
      StrataStack stack) throws SQLException {
    owner(
        stack,
        table("e_sites")
            + "; create table e_deploys (id bigint primary key,"
            + " site_id bigint not null references e_sites (id));"
            + " create index on e_deploys (site_id);"
            + " create table e_accounts (id bigint primary key, secret text)");
    assertThat(about(stack, "public.e_accounts"))
        .singleElement()
        .satisfies(f -> is(f, Severity.HIGH, "has no tenant path"));
    try (Connection owner = stack.connect(stack.env().direct())) {
      TenancyPlan plan = TenancyPlan.plan(owner, stack.stack().spec().tenancy());
      assertThat(plan.up())
          .contains("-- public.e_deploys (through e_sites)")
          .contains("using (site_id = any (array(select p.id from public.e_sites p)))");
    }
    applyPlan(stack);
    assertThat(about(stack, "public.e_deploys")).isEmpty();
    owner(stack, "drop table e_accounts");
  }

  @Test
  void tenant_column_cast_keeps_the_whole_value(StrataStack stack) throws SQLException {
    owner(
        stack,
        "create table f_codes (code varchar(3) primary key, customer_id varchar(3) not null)");
    try (Connection owner = stack.connect(stack.env().direct())) {
      TenancyPlan plan = TenancyPlan.plan(owner, stack.stack().spec().tenancy());
      assertThat(plan.up()).contains("::character varying)").doesNotContain("character varying(3)");
    }
    owner(stack, "drop table f_codes");
  }

  @Test
  void listed_table_without_its_column_is_refused(StrataStack stack) throws SQLException {
    owner(stack, "create table c_untenanted (id bigint primary key)");
    TenancySpec listed = spec(stack, Optional.of(List.of("c_untenanted")), List.of());
    assertThatThrownBy(() -> about(stack, listed, "x"))
        .isInstanceOf(StrataException.class)
        .hasMessage(
            "tenancy.tables lists c_untenanted, but it has no column customer_id and no single"
                + " foreign key to a tenant table");
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
        s.through(),
        s.by(),
        s.tenantSetting(),
        s.roleSetting(),
        s.adminRole());
  }

  private static List<Finding> all(StrataStack stack) throws SQLException {
    try (Connection owner = stack.connect(stack.env().direct())) {
      return TenancyAudit.run(owner, stack.stack().spec().tenancy(), "app_app", "app_readonly");
    }
  }

  private static List<Finding> aboutBoth(StrataStack stack, String object) throws SQLException {
    return all(stack).stream().filter(f -> f.object().equals(object)).toList();
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
      apply(s, plan);
    }
  }

  /** The plan's index migration statement by statement (CONCURRENTLY), then its isolation. */
  static void apply(Statement s, TenancyPlan plan) throws SQLException {
    for (String sql : plan.indexUp().split(";\n")) {
      if (!sql.lines().allMatch(l -> l.isBlank() || l.startsWith("--"))) {
        s.execute(sql);
      }
    }
    s.execute(plan.up());
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
