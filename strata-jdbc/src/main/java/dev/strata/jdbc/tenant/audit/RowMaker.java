package dev.strata.jdbc.tenant.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Makes the rows {@code strata tenancy test} works with, honouring foreign keys: a tenant table's
 * row gets its tenant in the tenant column, a foreign key to a tenant or child table one of that
 * tenant's rows there, a required foreign key to another table a row made (or found) there, and
 * every other required column without a default a value of its type (a CHECK's first literal when
 * it has one). The caller picks the context each row is inserted in.
 */
final class RowMaker {
  private final Connection conn;
  private final TenantCatalog catalog;
  private final Random random;
  private final Map<String, TenantTable> tenantTables = new HashMap<>();

  /** table → tenant → rows made, each every column's value as text. */
  private final Map<String, Map<String, List<Map<String, String>>>> made = new HashMap<>();

  /** Rows of tables without tenant, made or found once. */
  private final Map<String, Map<String, String>> sharedRows = new HashMap<>();

  private int counter;

  RowMaker(Connection conn, TenantCatalog catalog, Random random) {
    this.conn = conn;
    this.catalog = catalog;
    this.random = random;
    catalog.tenantTables().forEach(t -> tenantTables.put(t.name(), t));
  }

  /** The rows made for {@code tenant} in {@code table}. */
  List<Map<String, String>> rows(String table, String tenant) {
    return made.getOrDefault(table, Map.of()).getOrDefault(tenant, List.of());
  }

  /** Records a row made for {@code tenant}. */
  void record(String table, String tenant, Map<String, String> row) {
    made.computeIfAbsent(table, k -> new HashMap<>())
        .computeIfAbsent(tenant, k -> new ArrayList<>())
        .add(row);
  }

  /**
   * The values of a new row of {@code t} belonging to {@code tenant} (as text; absent columns take
   * their default).
   *
   * @throws SQLException when a value cannot be made (a type it does not know, no parent row)
   */
  Map<String, String> values(TenantTable t, String tenant) throws SQLException {
    Map<String, String> values = new LinkedHashMap<>();
    if (!t.isChild()) {
      values.put(t.column(), tenant);
    }
    for (TenantCatalog.ForeignKey fk : catalog.foreignKeys(t.name())) {
      if (values.containsKey(fk.column())) {
        continue;
      }
      TenantCatalog.Column col = column(t.name(), fk.column());
      if (tenantTables.containsKey(fk.parent())) {
        List<Map<String, String>> parents = rows(fk.parent(), tenant);
        if (parents.isEmpty()) {
          if (col.notNull()) {
            throw new SQLException(
                "no row of "
                    + fk.parent()
                    + " for tenant "
                    + tenant
                    + " to point "
                    + fk.column()
                    + " at");
          }
          continue;
        }
        values.put(fk.column(), parents.get(random.nextInt(parents.size())).get(fk.parentColumn()));
      } else if (col.notNull()) {
        values.put(fk.column(), shared(fk.parent()).get(fk.parentColumn()));
      }
    }
    for (TenantCatalog.Column col : catalog.columns(t.name())) {
      if (!values.containsKey(col.name()) && col.notNull() && !col.defaulted()) {
        values.put(col.name(), generate(col));
      }
    }
    return values;
  }

  /** {@code insert into t (..) values (..) returning every column as text}, bound. */
  PreparedStatement insert(String table, Map<String, String> values) throws SQLException {
    return insert(table, values, true);
  }

  /**
   * {@code insert into t (..) values (..)}, bound; with {@code returning}, every column as text. An
   * attempt to write another tenant's row goes without RETURNING, which would bring in the SELECT
   * policies and hide a WITH CHECK that lets the row in.
   */
  PreparedStatement insert(String table, Map<String, String> values, boolean returning)
      throws SQLException {
    List<String> cols = new ArrayList<>(values.keySet());
    StringBuilder sql =
        new StringBuilder("insert into ").append(Sql.qualified(schema(), table)).append(" (");
    StringBuilder vals = new StringBuilder();
    for (int i = 0; i < cols.size(); i++) {
      String sep = i == 0 ? "" : ", ";
      sql.append(sep).append(Sql.ident(cols.get(i)));
      vals.append(sep).append("?::").append(column(table, cols.get(i)).type());
    }
    sql.append(") overriding system value values (").append(vals).append(")");
    List<TenantCatalog.Column> all = catalog.columns(table);
    for (int i = 0; returning && i < all.size(); i++) {
      sql.append(i == 0 ? " returning " : ", ");
      sql.append(Sql.ident(all.get(i).name())).append("::text");
    }
    PreparedStatement ps = conn.prepareStatement(sql.toString());
    for (int i = 0; i < cols.size(); i++) {
      ps.setString(i + 1, values.get(cols.get(i)));
    }
    return ps;
  }

  /** Runs {@code ps} from {@link #insert} and returns the row it wrote. */
  Map<String, String> returned(String table, PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      Map<String, String> row = new HashMap<>();
      List<TenantCatalog.Column> all = catalog.columns(table);
      for (int i = 0; i < all.size(); i++) {
        row.put(all.get(i).name(), rs.getString(i + 1));
      }
      return row;
    }
  }

  /** A row of a table without tenant: made once (or, when that is refused, an existing one). */
  private Map<String, String> shared(String table) throws SQLException {
    Map<String, String> row = sharedRows.get(table);
    if (row != null) {
      return row;
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (TenantCatalog.ForeignKey fk : catalog.foreignKeys(table)) {
      if (column(table, fk.column()).notNull() && !fk.parent().equals(table)) {
        values.put(fk.column(), shared(fk.parent()).get(fk.parentColumn()));
      }
    }
    for (TenantCatalog.Column col : catalog.columns(table)) {
      if (!values.containsKey(col.name()) && col.notNull() && !col.defaulted()) {
        values.put(col.name(), generate(col));
      }
    }
    try (PreparedStatement ps = insert(table, values)) {
      row = returned(table, ps);
    }
    sharedRows.put(table, row);
    return row;
  }

  private TenantCatalog.Column column(String table, String name) {
    return catalog.columns(table).stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private String schema() {
    return catalog.tenantTables().get(0).schema();
  }

  /** A value of {@code col}'s type, different at every call where the type allows. */
  String generate(TenantCatalog.Column col) throws SQLException {
    int n = ++counter;
    if (col.checkLiteral() != null) {
      return col.checkLiteral();
    }
    String type = col.type();
    if (type.endsWith("[]")) {
      return "{}";
    }
    return switch (type) {
      case "text", "character varying", "character", "citext", "name" -> "p" + n;
      case "smallint", "integer", "bigint", "numeric", "real", "double precision" -> "" + n;
      case "boolean" -> "false";
      case "bytea" -> "\\x00";
      case "json", "jsonb" -> "{}";
      case "date", "timestamp without time zone", "timestamp with time zone" ->
          LocalDate.of(2000, 1, 1).plusDays(n).toString();
      case "uuid" -> new UUID(random.nextLong(), random.nextLong()).toString();
      case "inet", "cidr" -> "10.0." + (n / 250 % 250) + "." + (n % 250 + 1);
      case "interval" -> n + " seconds";
      default ->
          throw new SQLException(
              "cannot make a value of type " + type + " for the required column " + col.name());
    };
  }

  /** A tenant id of {@code type} no existing row is likely to have. */
  String tenantId(String type) {
    return switch (type) {
      case "smallint" -> Integer.toString(20_000 + random.nextInt(12_000));
      case "integer", "bigint", "numeric" ->
          Long.toString(1_500_000_000L + random.nextInt(500_000_000));
      case "uuid" -> new UUID(random.nextLong(), random.nextLong()).toString();
      default -> "strata-proof-" + Long.toHexString(random.nextLong());
    };
  }
}
