package dev.strata.core.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code tenancy} section: tenant isolation by Row-Level Security. Policies compare a tenant
 * column with a transaction-local setting that the application sets (strata-jdbc's {@code
 * Tenancy}); a second setting holding {@link #adminRole()} lets the administrator see every tenant.
 *
 * @param column the tenant column, e.g. {@code customer_id}
 * @param tables the tenant tables; empty means {@code auto}: every table of {@link #schema()} that
 *     has the tenant column, except the {@link #shared()} ones
 * @param shared tables that have the tenant column but are deliberately visible to every tenant
 * @param columns per-table tenant columns where they differ from {@link #column()}
 */
public record TenancySpec(
    String schema,
    String column,
    Map<String, String> columns,
    Optional<List<String>> tables,
    List<String> shared,
    String tenantSetting,
    String roleSetting,
    String adminRole) {

  private static final Pattern SETTING = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*");

  public static final Key<String> SCHEMA =
      Key.of("schema", Types.identifier(), "public", "The schema holding the tenant tables.");
  public static final Key<String> COLUMN =
      Key.of(
          "column",
          Types.identifier(),
          "tenant_id",
          "The tenant column policies compare with the tenant setting, e.g. customer_id.");
  public static final Key<Map<String, String>> COLUMNS =
      Key.of(
          "columns",
          Types.mapOf(Types.identifier()),
          Map.of(),
          "Per-table tenant column where it is not `column`, e.g. {customers: id}.");
  public static final Key<Optional<List<String>>> TABLES =
      Key.of(
          "tables",
          Types.autoOr(Types.listOf(Types.identifier())),
          Optional.empty(),
          "The tenant tables; auto is every table with the tenant column, except the shared ones.");
  public static final Key<List<String>> SHARED =
      Key.of(
          "shared",
          Types.listOf(Types.identifier()),
          List.of(),
          "Tables with the tenant column that every tenant may see (no policy), e.g. plans.");
  public static final Key<String> TENANT_SETTING =
      Key.of(
          "tenant_setting",
          setting(),
          "app.current_tenant",
          "The setting holding the current tenant id, set per transaction.");
  public static final Key<String> ROLE_SETTING =
      Key.of(
          "role_setting",
          setting(),
          "app.current_role",
          "The setting holding the current role; admin_role there sees every tenant.");
  public static final Key<String> ADMIN_ROLE =
      Key.of(
          "admin_role",
          Types.identifier(),
          "admin",
          "The role_setting value that sees and writes every tenant's rows.");

  public static final Section<TenancySpec> SECTION =
      new Section<>(
          "tenancy",
          "Tenant isolation by Row-Level Security",
          List.of(
              SCHEMA, COLUMN, COLUMNS, TABLES, SHARED, TENANT_SETTING, ROLE_SETTING, ADMIN_ROLE),
          v ->
              new TenancySpec(
                  v.get(SCHEMA),
                  v.get(COLUMN),
                  v.get(COLUMNS),
                  v.get(TABLES),
                  v.get(SHARED),
                  v.get(TENANT_SETTING),
                  v.get(ROLE_SETTING),
                  v.get(ADMIN_ROLE)));

  /** Whether the tenant tables are found in the database rather than listed. */
  public boolean autoTables() {
    return tables.isEmpty();
  }

  /** The tenant column of {@code table}: its entry in {@link #columns()}, or {@link #column()}. */
  public String columnOf(String table) {
    return columns.getOrDefault(table, column);
  }

  static List<SpecProblem> crossCheck(Values v) {
    List<String> listed = v.get(TABLES).orElse(List.of());
    List<String> both = listed.stream().filter(v.get(SHARED)::contains).toList();
    if (both.isEmpty()) {
      return List.of();
    }
    return List.of(
        new SpecProblem(
            v.location(SHARED),
            v.path(SHARED),
            both + " also listed in tenancy.tables: a table is either a tenant table or shared"));
  }

  /** A custom setting name: two lower-case SQL names joined by a dot, e.g. app.current_tenant. */
  private static Type<String> setting() {
    String allowed = "a custom setting name such as app.current_tenant (prefix.name, lower case)";
    return Type.of(
        allowed,
        value -> {
          String text = Types.string(allowed).read(value);
          if (!SETTING.matcher(text).matches()) {
            throw new BadValue(value, "'" + text + "' is not " + allowed);
          }
          return text;
        },
        value -> value);
  }
}
