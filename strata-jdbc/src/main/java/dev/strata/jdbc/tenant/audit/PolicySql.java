package dev.strata.jdbc.tenant.audit;

import dev.strata.core.spec.TenancySpec;
import java.util.Map;

/**
 * The condition of a tenant policy. It reads the settings with {@code current_setting(name, true)}
 * (NULL when unset: no row matches, the policy fails closed) and {@code nullif(.., '')} (a setting
 * reset at the end of an earlier transaction reads as the empty string). Each read sits in a scalar
 * sub-select, which PostgreSQL runs once per statement as an InitPlan instead of once per row.
 *
 * <p>For integer and uuid tenant columns the condition is a range, {@code column BETWEEN lo AND
 * hi}: {@code lo = hi =} the tenant for a tenant, the type's whole range for the administrator.
 * Being one range, it is an index condition on the tenant column. The plain form {@code column =
 * tenant OR role = admin}, used for other types, is correct too, but the OR keeps PostgreSQL from
 * using the tenant index unless the query filters on the column itself.
 */
final class PolicySql {
  private static final Map<String, String[]> BOUNDS =
      Map.of(
          "smallint",
          new String[] {"'-32768'", "'32767'"},
          "integer",
          new String[] {"'-2147483648'", "'2147483647'"},
          "bigint",
          new String[] {"'-9223372036854775808'", "'9223372036854775807'"},
          "uuid",
          new String[] {
            "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"
          });

  private PolicySql() {}

  /** The USING (and WITH CHECK) condition for a tenant column of {@code type}. */
  static String condition(TenancySpec spec, String column, String type) {
    String tenant =
        "nullif(current_setting(" + Sql.literal(spec.tenantSetting()) + ", true), '')::" + type;
    String isAdmin =
        "current_setting("
            + Sql.literal(spec.roleSetting())
            + ", true) = "
            + Sql.literal(spec.adminRole());
    String col = Sql.ident(column);
    String[] bounds = BOUNDS.get(type);
    if (bounds == null) {
      return col + " = (select " + tenant + ")\n    or (select " + isAdmin + ")";
    }
    return col
        + " between (select case when "
        + isAdmin
        + " then "
        + bounds[0]
        + "::"
        + type
        + " else "
        + tenant
        + " end)\n        and (select case when "
        + isAdmin
        + " then "
        + bounds[1]
        + "::"
        + type
        + " else "
        + tenant
        + " end)";
  }
}
