package dev.strata.jdbc.tenant.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.TenancySpec;
import org.junit.jupiter.api.Test;

final class PolicySqlTest {
  private static final TenancySpec SEED =
      SpecLoader.parse(
              """
              tenancy:
                column: customer_id
                tenant_setting: app.current_customer_id
                role_setting: app.current_user_role
              """,
              "strata.yaml",
              name -> null)
          .tenancy();

  @Test
  void integer_column_gets_one_index_range_read_once_per_statement() {
    String sql = PolicySql.condition(SEED, "h_tenant_admin", "customer_id", "bigint");
    assertThat(sql)
        .startsWith("customer_id between (select case when")
        .contains("current_user = 'h_tenant_admin'")
        .contains("'-9223372036854775808'::bigint")
        .contains("nullif(current_setting('app.current_customer_id', true), '')::bigint")
        .doesNotContain(" or ");
  }

  @Test
  void admin_is_a_role_never_the_role_setting() {
    assertThat(PolicySql.condition(SEED, "h_tenant_admin", "customer_id", "bigint"))
        .doesNotContain("app.current_user_role");
    assertThat(SEED.adminRole("hosterizer")).isEqualTo("hosterizer_tenant_admin");
  }

  @Test
  void text_column_gets_equality_or_admin() {
    assertThat(PolicySql.condition(SEED, "h_admin", "Tenant", "text"))
        .isEqualTo(
            "\"Tenant\" = (select nullif(current_setting('app.current_customer_id', true), '')::text)\n"
                + "    or (select current_user = 'h_admin')");
  }

  @Test
  void child_is_checked_against_the_parent_rows_its_tenant_sees() {
    assertThat(PolicySql.childCondition("site_id", "public", "sites", "id"))
        .isEqualTo("site_id = any (array(select p.id from public.sites p))");
  }
}
