package dev.strata.jdbc.tenant.audit;

import dev.strata.core.spec.TenancySpec;
import dev.strata.jdbc.migrate.MigrationFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The migration that isolates the tenant tables: for each table not isolated yet, RLS enabled and
 * forced (so the owner is subject to it too), one policy for every command with the same condition
 * in USING and WITH CHECK (rows can neither be seen nor written outside the tenant), and an index
 * on the tenant column where none leads with it. The down migration undoes only what the up
 * migration changes.
 *
 * @param tables the tables the migration changes; empty when every tenant table is isolated
 */
public record TenancyPlan(List<String> tables, String up, String down) {
  static final String TITLE = "tenant_isolation";

  /**
   * Plans from the live catalog read through {@code conn} (the owner's direct connection).
   *
   * @throws dev.strata.core.StrataException when the tenant tables cannot be resolved
   */
  public static TenancyPlan plan(Connection conn, TenancySpec spec) throws SQLException {
    List<String> tables = new ArrayList<>();
    StringBuilder up = new StringBuilder(header(spec));
    StringBuilder down =
        new StringBuilder("-- Reverts the tenant isolation migration of strata tenancy plan.\n");
    for (TenantTable t : TenantCatalog.read(conn, spec).tenantTables()) {
      if (t.isolated() && t.strataPolicy() && t.indexed()) {
        continue;
      }
      tables.add(t.name());
      up.append(upFor(spec, t));
      down.insert(down.indexOf("\n") + 1, downFor(t));
    }
    return new TenancyPlan(List.copyOf(tables), up.toString(), down.toString());
  }

  /** Whether every tenant table is isolated already: there is nothing to write. */
  public boolean isEmpty() {
    return tables.isEmpty();
  }

  /**
   * Writes the plan as the next migration in {@code migrationsDir}.
   *
   * @return the up file, or empty when there is nothing to write
   */
  public Optional<Path> write(Path migrationsDir) {
    if (isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(MigrationFiles.next(migrationsDir, TITLE, up, down).get(0));
  }

  private static String header(TenancySpec spec) {
    return "-- Tenant isolation by Row-Level Security, written by `strata tenancy plan`.\n"
        + "-- A row is visible and writable only when "
        + spec.tenantSetting()
        + " holds its tenant, or "
        + spec.roleSetting()
        + " is '"
        + spec.adminRole()
        + "';\n"
        + "-- with neither set, nothing is (fail closed). Set them per transaction with\n"
        + "-- set_config(name, value, true), e.g. through strata-jdbc's Tenancy.inTenant.\n";
  }

  private static String upFor(TenancySpec spec, TenantTable t) {
    String table = t.qualified();
    String condition = PolicySql.condition(spec, t.column(), t.columnType());
    StringBuilder sql = new StringBuilder("\n-- ").append(table).append('\n');
    sql.append("alter table ").append(table).append(" enable row level security;\n");
    sql.append("alter table ").append(table).append(" force row level security;\n");
    if (t.strataPolicy()) {
      sql.append("drop policy ").append(TenantCatalog.POLICY).append(" on ").append(table);
      sql.append(";\n");
    }
    sql.append("create policy ").append(TenantCatalog.POLICY).append(" on ").append(table);
    sql.append("\n  for all to public\n  using (").append(condition).append(")\n");
    sql.append("  with check (").append(condition).append(");\n");
    if (!t.indexed()) {
      sql.append("create index if not exists ").append(Sql.ident(indexName(t)));
      sql.append(" on ").append(table).append(" (").append(Sql.ident(t.column())).append(");\n");
    }
    return sql.toString();
  }

  private static String downFor(TenantTable t) {
    String table = t.qualified();
    StringBuilder sql = new StringBuilder("\n-- ").append(table).append('\n');
    if (!t.indexed()) {
      sql.append("drop index if exists ")
          .append(Sql.qualified(t.schema(), indexName(t)))
          .append(";\n");
    }
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
