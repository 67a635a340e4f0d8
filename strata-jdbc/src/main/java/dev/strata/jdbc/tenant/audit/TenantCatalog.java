package dev.strata.jdbc.tenant.audit;

import dev.strata.core.StrataException;
import dev.strata.core.spec.TenancySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the tenancy schema from {@code pg_catalog}: which tables have a tenant column, their RLS
 * state, policies and indexes, and which of them the {@code tenancy} section makes tenant tables.
 */
final class TenantCatalog {
  /** The name of the policy {@code strata tenancy plan} creates on each tenant table. */
  static final String POLICY = "strata_tenant_isolation";

  private static final String TABLES =
      """
      select c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity,
             a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
             exists (select 1 from pg_index i
                     where i.indrelid = c.oid and i.indisvalid and i.indkey[0] = a.attnum),
             exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = ?),
             array(select distinct p.polcmd::text from pg_policy p
                   where p.polrelid = c.oid and p.polpermissive)
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
           and a.attname = coalesce((select value from json_each_text(?::json) where key = c.relname), ?)
      where n.nspname = ? and c.relkind in ('r', 'p')
      order by c.relname
      """;

  private final Map<String, TenantTable> withColumn;
  private final List<String> allTables;
  private final TenancySpec spec;

  private TenantCatalog(TenancySpec spec, Map<String, TenantTable> withColumn, List<String> all) {
    this.spec = spec;
    this.withColumn = withColumn;
    this.allTables = all;
  }

  /** Reads the catalog of {@code spec.schema()} through {@code conn}. */
  static TenantCatalog read(Connection conn, TenancySpec spec) throws SQLException {
    Map<String, TenantTable> withColumn = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(TABLES)) {
      ps.setString(1, POLICY);
      ps.setString(2, json(spec.columns()));
      ps.setString(3, spec.column());
      ps.setString(4, spec.schema());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          all.add(name);
          if (rs.getString(5) != null) {
            withColumn.put(name, table(spec.schema(), rs));
          }
        }
      }
    }
    return new TenantCatalog(spec, withColumn, all);
  }

  private static TenantTable table(String schema, ResultSet rs) throws SQLException {
    Set<String> commands = new HashSet<>();
    for (String cmd : (String[]) rs.getArray(10).getArray()) {
      switch (cmd) {
        case "*" -> commands.addAll(TenantTable.ALL_COMMANDS);
        case "r" -> commands.add("SELECT");
        case "a" -> commands.add("INSERT");
        case "w" -> commands.add("UPDATE");
        case "d" -> commands.add("DELETE");
        default -> throw new IllegalStateException("unknown polcmd " + cmd);
      }
    }
    return new TenantTable(
        schema,
        rs.getString(1),
        rs.getString(2),
        rs.getString(5),
        rs.getString(6),
        rs.getBoolean(7),
        rs.getBoolean(3),
        rs.getBoolean(4),
        Set.copyOf(commands),
        rs.getBoolean(9),
        rs.getBoolean(8));
  }

  /**
   * The tenant tables: those listed in {@code tenancy.tables}, or with {@code auto} every table
   * with the tenant column except the shared ones.
   *
   * @throws StrataException when a listed table is missing or lacks its tenant column, or when no
   *     tenant table is found
   */
  List<TenantTable> tenantTables() {
    List<TenantTable> tables = new ArrayList<>();
    if (spec.autoTables()) {
      withColumn.values().stream()
          .filter(t -> !spec.shared().contains(t.name()))
          .forEach(tables::add);
    } else {
      for (String name : spec.tables().orElseThrow()) {
        tables.add(listed(name));
      }
    }
    if (tables.isEmpty()) {
      throw StrataException.badInput(
          "no tenant table in schema "
              + spec.schema()
              + ": no table has the column "
              + spec.column()
              + (spec.shared().isEmpty() ? "" : " except the shared " + spec.shared()),
          "apply the migrations that create the tenant tables, or set tenancy.column (or"
              + " tenancy.tables) in strata.yaml");
    }
    return tables;
  }

  private TenantTable listed(String name) {
    TenantTable table = withColumn.get(name);
    if (table != null) {
      return table;
    }
    if (!allTables.contains(name)) {
      throw StrataException.badInput(
          "tenancy.tables lists " + name + ", but schema " + spec.schema() + " has no such table",
          "create it first (apply its migration), or remove it from tenancy.tables");
    }
    throw StrataException.badInput(
        "tenancy.tables lists " + name + ", but it has no column " + spec.columnOf(name),
        "name its tenant column in tenancy.columns (e.g. {" + name + ": id}), or add the column");
  }

  /** Tables with a tenant column that are neither tenant tables nor listed as shared. */
  List<TenantTable> uncovered() {
    Set<String> tenant = new HashSet<>();
    tenantTables().forEach(t -> tenant.add(t.name()));
    return withColumn.values().stream()
        .filter(t -> !tenant.contains(t.name()) && !spec.shared().contains(t.name()))
        .toList();
  }

  private static String json(Map<String, String> map) {
    StringBuilder json = new StringBuilder("{");
    map.forEach(
        (k, v) -> {
          if (json.length() > 1) {
            json.append(',');
          }
          json.append('"').append(k).append("\":\"").append(v).append('"');
        });
    return json.append('}').toString();
  }
}
