package dev.strata.jdbc.tenant.audit;

import java.util.Set;

/**
 * A table of the tenancy schema as the catalog describes it, with its tenant column.
 *
 * @param column the tenant column
 * @param columnType the column's SQL type, as {@code format_type} prints it
 * @param columnNotNull whether the tenant column is {@code NOT NULL}
 * @param commands the commands covered by a permissive policy ({@code SELECT}, {@code INSERT},
 *     {@code UPDATE}, {@code DELETE})
 * @param strataPolicy whether the policy {@code strata plan} generates is present
 * @param indexed whether an index leads with the tenant column
 */
record TenantTable(
    String schema,
    String name,
    String owner,
    String column,
    String columnType,
    boolean columnNotNull,
    boolean rlsEnabled,
    boolean rlsForced,
    Set<String> commands,
    boolean strataPolicy,
    boolean indexed) {

  static final Set<String> ALL_COMMANDS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE");

  String qualified() {
    return Sql.qualified(schema, name);
  }

  /** Whether RLS and a policy for every command are in place. */
  boolean isolated() {
    return rlsEnabled && rlsForced && commands.containsAll(ALL_COMMANDS);
  }
}
