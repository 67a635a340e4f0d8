package dev.strata.jdbc.tenant.audit;

import dev.strata.core.spec.TenancySpec;
import java.util.Map;

/**
 * The conditions of the tenant policies. The tenant is read with {@code current_setting(name,
 * true)} (NULL when unset: no row matches, the policy fails closed) and {@code nullif(.., '')} (a
 * setting reset at the end of an earlier transaction reads as the empty string), cast to the
 * column's type without length (a {@code varchar(n)} cast would cut a longer value to one that
 * matches). The administrator is {@code current_user} being the admin role — set only by {@code SET
 * ROLE}, which needs a membership granted in the database, never by a setting any session may
 * write. Each read sits in a scalar sub-select, which PostgreSQL runs once per statement as an
 * InitPlan instead of once per row.
 *
 * <p>For integer and uuid tenant columns the condition is a range, {@code column BETWEEN lo AND
 * hi}: {@code lo = hi =} the tenant for a tenant, the type's whole range for the administrator.
 * Being one range, it is an index condition on the tenant column. The plain form {@code column =
 * tenant OR admin}, used for other types, is correct too, but the OR keeps PostgreSQL from using
 * the tenant index unless the query filters on the column itself.
 *
 * <p>A child's condition is {@code fk = any (array(select key from parent))}: the parent's own
 * policy filters the sub-select to the tenant's rows (the administrator's: all), computed once as
 * an InitPlan, and the array is an index condition on the child's foreign key column. As WITH CHECK
 * it keeps a child from pointing at another tenant's parent, which the foreign key alone would
 * allow (foreign key checks skip RLS).
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

  /** The USING (and WITH CHECK) condition of {@code table}, a tenant or a child table. */
  static String condition(TenancySpec spec, String adminRole, TenantTable table) {
    return table.isChild()
        ? childCondition(
            table.column(), table.schema(), table.parent().orElseThrow(), table.parentKey())
        : condition(spec, adminRole, table.column(), table.columnType());
  }

  /** The condition of a child: its foreign key among the keys of the parent rows visible. */
  static String childCondition(String column, String schema, String parent, String parentKey) {
    return Sql.ident(column)
        + " = any (array(select p."
        + Sql.ident(parentKey)
        + " from "
        + Sql.qualified(schema, parent)
        + " p))";
  }

  /** The USING (and WITH CHECK) condition for a tenant column of {@code type}. */
  static String condition(TenancySpec spec, String adminRole, String column, String type) {
    String tenant =
        "nullif(current_setting(" + Sql.literal(spec.tenantSetting()) + ", true), '')::" + type;
    String isAdmin = "current_user = " + Sql.literal(adminRole);
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
