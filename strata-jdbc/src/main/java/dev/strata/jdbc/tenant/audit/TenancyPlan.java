package dev.strata.jdbc.tenant.audit;

import dev.strata.core.spec.TenancySpec;
import dev.strata.jdbc.migrate.MigrationFiles;
import dev.strata.jdbc.migrate.MigrationScript;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The migrations that isolate the tenant and child tables: for each table not isolated yet, RLS
 * enabled and forced (so the owner is subject to it too), one policy for every command, and the
 * admin role's privileges. USING is the tenant condition ({@link PolicySql}); WITH CHECK adds that
 * every foreign key to another tenant table points at a row the tenant sees. Indexes on the policy
 * columns, where none leads with them, come first in a migration of their own, built {@code
 * CONCURRENTLY} (no lock on writes). The down migrations undo only what the up migrations change.
 *
 * @param tables the tables the migration changes; empty when every tenant table is isolated
 * @param indexUp the index migration, empty when no index is needed
 */
public record TenancyPlan(
    List<String> tables, String up, String down, String indexUp, String indexDown) {
  static final String TITLE = "tenant_isolation";
  static final String INDEX_TITLE = "tenant_indexes";

  /**
   * Plans from the live catalog read through {@code conn} (the owner's direct connection).
   *
   * @throws dev.strata.core.StrataException when the tenant tables cannot be resolved
   */
  public static TenancyPlan plan(Connection conn, TenancySpec spec) throws SQLException {
    String adminRole = spec.adminRole(conn.getCatalog());
    List<String> tables = new ArrayList<>();
    StringBuilder up = new StringBuilder(header(spec, adminRole));
    StringBuilder down =
        new StringBuilder("-- Reverts the tenant isolation migration of strata tenancy plan.\n");
    StringBuilder indexUp =
        new StringBuilder(MigrationScript.NO_TRANSACTION)
            .append("\n-- Indexes on the tenant policy columns, built without blocking writes.\n");
    StringBuilder indexDown =
        new StringBuilder(MigrationScript.NO_TRANSACTION)
            .append("\n-- Reverts the tenant index migration of strata tenancy plan.\n");
    boolean indexes = false;
    TenantCatalog catalog = TenantCatalog.read(conn, spec);
    for (TenantTable t : catalog.tenantTables()) {
      if (t.isolated() && t.strataPolicy() && t.indexed()) {
        continue;
      }
      tables.add(t.name());
      up.append(upFor(spec, adminRole, t, catalog.references(t)));
      down.insert(down.indexOf("\n") + 1, downFor(t));
      if (!t.indexed()) {
        indexes = true;
        indexUp.append("create index concurrently if not exists ").append(Sql.ident(indexName(t)));
        indexUp.append(" on ").append(t.qualified());
        indexUp.append(" (").append(Sql.ident(t.column())).append(");\n");
        indexDown.append("drop index concurrently if exists ");
        indexDown.append(Sql.qualified(t.schema(), indexName(t))).append(";\n");
      }
    }
    if (!tables.isEmpty()) {
      up.append(grants(spec, adminRole));
    }
    return new TenancyPlan(
        List.copyOf(tables),
        up.toString(),
        down.toString(),
        indexes ? indexUp.toString() : "",
        indexes ? indexDown.toString() : "");
  }

  /** Whether every tenant table is isolated already: there is nothing to write. */
  public boolean isEmpty() {
    return tables.isEmpty();
  }

  /**
   * Writes the plan as the next migrations in {@code migrationsDir}: the indexes (when needed),
   * then the isolation.
   *
   * @return the isolation's up file, or empty when there is nothing to write
   */
  public Optional<Path> write(Path migrationsDir) {
    if (isEmpty()) {
      return Optional.empty();
    }
    if (!indexUp.isEmpty()) {
      MigrationFiles.next(migrationsDir, INDEX_TITLE, indexUp, indexDown);
    }
    return Optional.of(MigrationFiles.next(migrationsDir, TITLE, up, down).get(0));
  }

  private static String header(TenancySpec spec, String adminRole) {
    return "-- Tenant isolation by Row-Level Security, written by `strata tenancy plan`.\n"
        + "-- A row is visible and writable only when "
        + spec.tenantSetting()
        + " holds its tenant (a child's: its parent's),\n"
        + "-- or the current role is "
        + adminRole
        + " (SET LOCAL ROLE; granted explicitly); with neither, nothing is\n"
        + "-- (fail closed). Set the tenant per transaction with set_config(name, value, true),\n"
        + "-- e.g. through strata-jdbc's TenantDataSource or Tenancy.inTenant.\n";
  }

  /**
   * The admin role's privileges: the application's DML on the schema's tables and sequences, now
   * and for tables the owner creates later. Membership stays with the owner until a migration
   * grants it on (which the audit reports).
   */
  private static String grants(TenancySpec spec, String adminRole) {
    String schema = Sql.ident(spec.schema());
    String role = Sql.ident(adminRole);
    return "\n-- the administrator role: the application's privileges, every tenant's rows\n"
        + "grant usage on schema "
        + schema
        + " to "
        + role
        + ";\ngrant select, insert, update, delete on all tables in schema "
        + schema
        + " to "
        + role
        + ";\ngrant usage, select on all sequences in schema "
        + schema
        + " to "
        + role
        + ";\nalter default privileges in schema "
        + schema
        + " grant select, insert, update, delete on tables to "
        + role
        + ";\nalter default privileges in schema "
        + schema
        + " grant usage, select on sequences to "
        + role
        + ";\n";
  }

  private static String upFor(
      TenancySpec spec, String adminRole, TenantTable t, List<TenantCatalog.Reference> refs) {
    String table = t.qualified();
    String condition = PolicySql.condition(spec, adminRole, t);
    StringBuilder check = new StringBuilder(condition);
    for (TenantCatalog.Reference r : refs) {
      check.append("\n    and (").append(Sql.ident(r.column())).append(" is null or ");
      check.append(PolicySql.childCondition(r.column(), t.schema(), r.parent(), r.parentKey()));
      check.append(')');
    }
    StringBuilder sql = new StringBuilder("\n-- ").append(table);
    t.parent().ifPresent(p -> sql.append(" (through ").append(p).append(')'));
    sql.append('\n');
    sql.append("alter table ").append(table).append(" enable row level security;\n");
    sql.append("alter table ").append(table).append(" force row level security;\n");
    if (t.strataPolicy()) {
      sql.append("drop policy ").append(TenantCatalog.POLICY).append(" on ").append(table);
      sql.append(";\n");
    }
    sql.append("create policy ").append(TenantCatalog.POLICY).append(" on ").append(table);
    sql.append("\n  for all to public\n  using (").append(condition).append(")\n");
    sql.append("  with check (").append(check).append(");\n");
    return sql.toString();
  }

  private static String downFor(TenantTable t) {
    String table = t.qualified();
    StringBuilder sql = new StringBuilder("\n-- ").append(table).append('\n');
    sql.append("drop policy if exists ").append(TenantCatalog.POLICY).append(" on ").append(table);
    sql.append(";\n");
    if (!t.rlsForced()) {
      sql.append("alter table ").append(table).append(" no force row level security;\n");
    }
    if (!t.rlsEnabled()) {
      sql.append("alter table ").append(table).append(" disable row level security;\n");
    }
    return sql.toString();
  }

  static String indexName(TenantTable t) {
    String name = t.name() + "_" + t.column() + "_tenant_idx";
    return name.length() <= 63 ? name : name.substring(0, 63);
  }
}
