package dev.strata.jdbc.tenant.audit;

import dev.strata.core.StrataException;
import dev.strata.core.spec.TenancySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the tenancy schema from {@code pg_catalog}: every table with its columns, RLS state,
 * policies, indexes and foreign keys, and from the {@code tenancy} section which of them are tenant
 * tables (they have the tenant column), child tables (isolated through a parent: named in {@code
 * tenancy.through}, or inferred from their only foreign key to a tenant or child table), shared, or
 * uncovered.
 */
final class TenantCatalog {
  /** The name of the policy {@code strata tenancy plan} creates on each tenant table. */
  static final String POLICY = "strata_tenant_isolation";

  /** Migration bookkeeping: no tenant data, never a finding. */
  static final Set<String> BOOKKEEPING = Set.of("schema_migrations", "strata_migrations_log");

  private static final String TABLES =
      """
      select c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity,
             exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = ?),
             array(select distinct p.polcmd::text from pg_policy p
                   where p.polrelid = c.oid and p.polpermissive),
             array(select a.attname from pg_index i
                   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                   where i.indrelid = c.oid and i.indisvalid and i.indpred is null)
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relkind in ('r', 'p')
      order by c.relname
      """;
  private static final String COLUMNS =
      """
      select c.relname, a.attname, format_type(a.atttypid, null), a.attnotnull,
             a.atthasdef or a.attidentity <> '' or a.attgenerated <> '', a.attgenerated <> '',
             (select substring(pg_get_constraintdef(k.oid) from '''((?:[^'']|'''')*)''')
              from pg_constraint k
              where k.conrelid = c.oid and k.contype = 'c' and k.conkey = array[a.attnum]
              limit 1)
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum
      """;
  private static final String FOREIGN_KEYS =
      """
      select c.relname, a.attname, p.relname, pa.attname
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      join pg_class p on p.oid = k.confrelid
      join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
      join pg_attribute pa on pa.attrelid = k.confrelid and pa.attnum = k.confkey[1]
      where k.contype = 'f' and n.nspname = ? and p.relnamespace = n.oid
        and cardinality(k.conkey) = 1
      order by 1, 2
      """;

  /**
   * A column.
   *
   * @param defaulted whether it has a default, is an identity or is generated
   * @param generated whether it is generated (it cannot be written)
   * @param checkLiteral the first literal of a single-column CHECK on it, e.g. an allowed value
   */
  record Column(
      String name,
      String type,
      boolean notNull,
      boolean defaulted,
      boolean generated,
      String checkLiteral) {}

  /** A single-column foreign key. */
  record ForeignKey(String column, String parent, String parentColumn) {}

  private record Info(
      String name,
      String owner,
      boolean rls,
      boolean forced,
      boolean strataPolicy,
      Set<String> commands,
      Set<String> indexed,
      Map<String, Column> columns,
      List<ForeignKey> foreignKeys) {}

  private final TenancySpec spec;
  private final Map<String, Info> all;
  private final List<TenantTable> tenantTables = new ArrayList<>();
  private final List<String> shared = new ArrayList<>();
  private final List<String> uncovered = new ArrayList<>();

  private TenantCatalog(TenancySpec spec, Map<String, Info> all) {
    this.spec = spec;
    this.all = all;
  }

  /**
   * Reads the catalog of {@code spec.schema()} through {@code conn}.
   *
   * @throws StrataException when a listed table is missing, lacks a tenant column and a parent, a
   *     child's foreign key to its parent cannot be found, or no tenant table is found
   */
  static TenantCatalog read(Connection conn, TenancySpec spec) throws SQLException {
    Map<String, Info> all = new LinkedHashMap<>();
    Map<String, Map<String, Column>> columns = new HashMap<>();
    Map<String, List<ForeignKey>> keys = new HashMap<>();
    try (PreparedStatement ps = conn.prepareStatement(COLUMNS)) {
      ps.setString(1, spec.schema());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns
              .computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
              .put(
                  rs.getString(2),
                  new Column(
                      rs.getString(2),
                      rs.getString(3),
                      rs.getBoolean(4),
                      rs.getBoolean(5),
                      rs.getBoolean(6),
                      rs.getString(7)));
        }
      }
    }
    try (PreparedStatement ps = conn.prepareStatement(FOREIGN_KEYS)) {
      ps.setString(1, spec.schema());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(new ForeignKey(rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
    }
    try (PreparedStatement ps = conn.prepareStatement(TABLES)) {
      ps.setString(1, POLICY);
      ps.setString(2, spec.schema());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          all.put(
              name,
              new Info(
                  name,
                  rs.getString(2),
                  rs.getBoolean(3),
                  rs.getBoolean(4),
                  rs.getBoolean(5),
                  commands((String[]) rs.getArray(6).getArray()),
                  // two indexes on one column (a duplicate index) list it twice
                  Set.copyOf(java.util.Arrays.asList((String[]) rs.getArray(7).getArray())),
                  columns.getOrDefault(name, Map.of()),
                  keys.getOrDefault(name, List.of())));
        }
      }
    }
    TenantCatalog catalog = new TenantCatalog(spec, all);
    catalog.resolve();
    return catalog;
  }

  private static Set<String> commands(String[] polcmds) {
    Set<String> commands = new HashSet<>();
    for (String cmd : polcmds) {
      switch (cmd) {
        case "*" -> commands.addAll(TenantTable.ALL_COMMANDS);
        case "r" -> commands.add("SELECT");
        case "a" -> commands.add("INSERT");
        case "w" -> commands.add("UPDATE");
        case "d" -> commands.add("DELETE");
        default -> throw new IllegalStateException("unknown polcmd " + cmd);
      }
    }
    return Set.copyOf(commands);
  }

  private void resolve() {
    Map<String, TenantTable> resolved = new LinkedHashMap<>();
    List<String> candidates = new ArrayList<>();
    if (spec.autoTables()) {
      all.keySet().stream()
          .filter(t -> !spec.shared().contains(t) && !BOOKKEEPING.contains(t))
          .forEach(candidates::add);
    } else {
      for (String name : spec.tables().orElseThrow()) {
        if (!all.containsKey(name)) {
          throw StrataException.badInput(
              "tenancy.tables lists "
                  + name
                  + ", but schema "
                  + spec.schema()
                  + " has no such table",
              "create it first (apply its migration), or remove it from tenancy.tables");
        }
        candidates.add(name);
      }
    }
    for (String child : spec.through().keySet()) {
      if (!all.containsKey(child)) {
        throw StrataException.badInput(
            "tenancy.through names "
                + child
                + ", but schema "
                + spec.schema()
                + " has no such table",
            "create it first (apply its migration), or remove it from tenancy.through");
      }
      if (!candidates.contains(child)) {
        candidates.add(child);
      }
    }
    // Tenant tables: they have their tenant column (and are not declared children).
    for (String name : candidates) {
      Info info = all.get(name);
      Column col = info.columns().get(spec.columnOf(name));
      if (col != null && !spec.isChild(name)) {
        resolved.put(name, tenant(info, spec.columnOf(name), col));
      }
    }
    // Children, parents first: declared ones, then those whose only foreign key to a table
    // already resolved makes the path unambiguous.
    boolean progress = true;
    while (progress) {
      progress = false;
      for (String name : candidates) {
        if (resolved.containsKey(name)) {
          continue;
        }
        Optional<ForeignKey> fk = parentKey(all.get(name), resolved.keySet());
        if (fk.isPresent()) {
          resolved.put(name, child(all.get(name), fk.get()));
          progress = true;
        }
      }
    }
    for (String name : candidates) {
      if (resolved.containsKey(name)) {
        continue;
      }
      if (spec.isChild(name)) {
        String parent = spec.through().get(name);
        throw StrataException.badInput(
            "tenancy.through isolates "
                + name
                + " through "
                + parent
                + ", but "
                + (all.containsKey(parent) && !resolved.containsKey(parent)
                    ? parent + " is not a tenant table itself"
                    : "no foreign key of " + name + " references " + parent),
            "add the foreign key (e.g. "
                + name
                + ".site_id references "
                + parent
                + "), name it in tenancy.by, or make "
                + parent
                + " a tenant table");
      }
      if (!spec.autoTables()) {
        throw StrataException.badInput(
            "tenancy.tables lists "
                + name
                + ", but it has no column "
                + spec.columnOf(name)
                + " and no single foreign key to a tenant table",
            "name its tenant column in tenancy.columns (e.g. {"
                + name
                + ": id}), or its parent in tenancy.through (e.g. {"
                + name
                + ": sites})");
      }
    }
    tenantTables.addAll(resolved.values());
    if (tenantTables.isEmpty()) {
      throw StrataException.badInput(
          "no tenant table in schema "
              + spec.schema()
              + ": no table has the column "
              + spec.column()
              + (spec.shared().isEmpty() ? "" : " except the shared " + spec.shared()),
          "apply the migrations that create the tenant tables, or set tenancy.column (or"
              + " tenancy.tables) in strata.yaml");
    }
    for (String name : all.keySet()) {
      if (resolved.containsKey(name) || BOOKKEEPING.contains(name)) {
        continue;
      }
      (spec.shared().contains(name) ? shared : uncovered).add(name);
    }
  }

  /** The foreign key making {@code info} a child of a resolved table, when there is exactly one. */
  private Optional<ForeignKey> parentKey(Info info, Set<String> resolved) {
    String declared = spec.through().get(info.name());
    String by = spec.by().get(info.name());
    List<ForeignKey> paths =
        info.foreignKeys().stream()
            .filter(
                k -> declared == null ? resolved.contains(k.parent()) : k.parent().equals(declared))
            .filter(k -> by == null || k.column().equals(by))
            .filter(k -> !k.parent().equals(info.name()))
            .toList();
    if (paths.size() != 1 || !resolved.contains(paths.get(0).parent())) {
      return Optional.empty();
    }
    return Optional.of(paths.get(0));
  }

  private TenantTable tenant(Info info, String column, Column col) {
    return new TenantTable(
        spec.schema(),
        info.name(),
        info.owner(),
        column,
        col.type(),
        col.notNull(),
        info.rls(),
        info.forced(),
        info.commands(),
        info.strataPolicy(),
        info.indexed().contains(column),
        Optional.empty(),
        null);
  }

  private TenantTable child(Info info, ForeignKey fk) {
    Column col = info.columns().get(fk.column());
    return new TenantTable(
        spec.schema(),
        info.name(),
        info.owner(),
        fk.column(),
        col.type(),
        col.notNull(),
        info.rls(),
        info.forced(),
        info.commands(),
        info.strataPolicy(),
        info.indexed().contains(fk.column()),
        Optional.of(fk.parent()),
        fk.parentColumn());
  }

  /** The tenant and child tables, every parent before its children. */
  List<TenantTable> tenantTables() {
    return List.copyOf(tenantTables);
  }

  /** Tables that are neither tenant, child, shared nor migration bookkeeping. */
  List<String> uncovered() {
    return List.copyOf(uncovered);
  }

  /** Whether {@code table} has the tenant column (as opposed to no tenant path at all). */
  boolean hasTenantColumn(String table) {
    Info info = all.get(table);
    return info != null && info.columns().containsKey(spec.columnOf(table));
  }

  /** A foreign key of a tenant or child table to another of them, besides a child's own parent. */
  record Reference(String column, String parent, String parentKey) {}

  /**
   * The references of {@code table} to other tenant or child tables: a row could point at another
   * tenant's row through them (foreign key checks skip RLS), so WITH CHECK must check them.
   */
  List<Reference> references(TenantTable table) {
    Set<String> isolated = new HashSet<>();
    tenantTables.forEach(t -> isolated.add(t.name()));
    return all.get(table.name()).foreignKeys().stream()
        .filter(k -> isolated.contains(k.parent()) && !k.parent().equals(table.name()))
        .filter(k -> !k.column().equals(table.column())) // the policy's own condition pins it
        .map(k -> new Reference(k.column(), k.parent(), k.parentColumn()))
        .toList();
  }

  /** The columns of {@code table}, in order. */
  List<Column> columns(String table) {
    return List.copyOf(all.get(table).columns().values());
  }

  /** The single-column foreign keys of {@code table}. */
  List<ForeignKey> foreignKeys(String table) {
    return all.get(table).foreignKeys();
  }

  /** Whether the schema has {@code table}. */
  boolean has(String table) {
    return all.containsKey(table);
  }
}
