package dev.strata.jdbc.tenant.audit;

import java.util.Optional;
import java.util.Set;

/**
 * A table of the tenancy schema as the catalog describes it: a tenant table with its tenant column,
 * or a child table isolated through its parent.
 *
 * @param column the tenant column; of a child, its foreign key column to the parent
 * @param columnType the column's SQL type without length or precision (a cast to {@code varchar(n)}
 *     would cut a longer tenant value to one that matches)
 * @param columnNotNull whether the column is {@code NOT NULL}
 * @param commands the commands covered by a permissive policy ({@code SELECT}, {@code INSERT},
 *     {@code UPDATE}, {@code DELETE})
 * @param strataPolicy whether the policy {@code strata plan} generates is present
 * @param indexed whether a valid, non-partial index leads with the column
 * @param parent of a child, the parent table; empty for a tenant table
 * @param parentKey of a child, the parent's column the foreign key references
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
    boolean indexed,
    Optional<String> parent,
    String parentKey) {

  static final Set<String> ALL_COMMANDS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE");

  String qualified() {
    return Sql.qualified(schema, name);
  }

  boolean isChild() {
    return parent.isPresent();
  }

  /** Whether RLS and a policy for every command are in place. */
  boolean isolated() {
    return rlsEnabled && rlsForced && commands.containsAll(ALL_COMMANDS);
  }
}
