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
                admin_role: administrator
              """,
              "strata.yaml",
              name -> null)
          .tenancy();

  @Test
  void integer_column_gets_one_index_range_read_once_per_statement() {
    String sql = PolicySql.condition(SEED, "customer_id", "bigint");
    assertThat(sql)
        .startsWith("customer_id between (select case when")
        .contains("current_setting('app.current_user_role', true) = 'administrator'")
        .contains("'-9223372036854775808'::bigint")
        .contains("nullif(current_setting('app.current_customer_id', true), '')::bigint")
        .doesNotContain(" or ");
  }

  @Test
  void text_column_gets_equality_or_admin() {
    assertThat(PolicySql.condition(SEED, "Tenant", "text"))
        .isEqualTo(
            "\"Tenant\" = (select nullif(current_setting('app.current_customer_id', true), '')::text)\n"
                + "    or (select current_setting('app.current_user_role', true) = 'administrator')");
  }
}
