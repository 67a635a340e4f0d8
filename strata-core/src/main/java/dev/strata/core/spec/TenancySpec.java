package dev.strata.core.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code tenancy} section: tenant isolation by Row-Level Security. Policies compare a tenant
 * column with a transaction-local setting that the application sets (strata-jdbc's {@code
 * Tenancy}). Child tables without the column are isolated through their parent ({@link
 * #through()}). The administrator, who sees every tenant, is a database role ({@link
 * #adminRole()}), never a value a session could write.
 *
 * @param column the tenant column, e.g. {@code customer_id}
 * @param tables the tenant tables; empty means {@code auto}: every table of {@link #schema()} that
 *     has the tenant column, except the {@link #shared()} ones
 * @param shared tables deliberately visible to every tenant (no policy)
 * @param columns per-table tenant columns where they differ from {@link #column()}
 * @param through child tables isolated through a parent table, e.g. {@code {deployments: sites}}
 * @param by the foreign key column of each child, where it is not inferred from the foreign key
 * @param roleSetting a setting Strata's context resets in every transaction; policies do not read
 *     it (it is writable by any session)
 * @param adminRole the role, {@code {db}} standing for the database, whose members see every tenant
 *     after {@code SET LOCAL ROLE}
 */
public record TenancySpec(
    String schema,
    String column,
    Map<String, String> columns,
    Optional<List<String>> tables,
    List<String> shared,
    Map<String, String> through,
    Map<String, String> by,
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
          "Tables every tenant may see (no policy), e.g. plans; any other table is a finding.");
  public static final Key<Map<String, String>> THROUGH =
      Key.of(
          "through",
          Types.mapOf(Types.identifier()),
          Map.of(),
          "Child tables isolated through a parent tenant table, e.g. {deployments: sites}.");
  public static final Key<Map<String, String>> BY =
      Key.of(
          "by",
          Types.mapOf(Types.identifier()),
          Map.of(),
          "The foreign key column of a child where it has several, e.g. {deployments: site_id}.");
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
          "A setting reset in every transaction for the application's own use; no policy reads it.");
  public static final Key<String> ADMIN_ROLE =
      Key.of(
          "admin_role",
          adminRoleType(),
          "{db}_tenant_admin",
          "The database role ({db}: the database) that sees every tenant after SET LOCAL ROLE.");

  public static final Section<TenancySpec> SECTION =
      new Section<>(
          "tenancy",
          "Tenant isolation by Row-Level Security",
          List.of(
              SCHEMA,
              COLUMN,
              COLUMNS,
              TABLES,
              SHARED,
              THROUGH,
              BY,
              TENANT_SETTING,
              ROLE_SETTING,
              ADMIN_ROLE),
          v ->
              new TenancySpec(
                  v.get(SCHEMA),
                  v.get(COLUMN),
                  v.get(COLUMNS),
                  v.get(TABLES),
                  v.get(SHARED),
                  v.get(THROUGH),
                  v.get(BY),
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

  /** The administrator role of {@code database}: {@link #adminRole()} with {@code {db}} filled. */
  public String adminRole(String database) {
    return adminRole.replace("{db}", database);
  }

  /** Whether {@code table} is isolated through a parent: listed in {@link #through()}. */
  public boolean isChild(String table) {
    return through.containsKey(table);
  }

  static List<SpecProblem> crossCheck(Values v) {
    List<SpecProblem> problems = new java.util.ArrayList<>();
    List<String> listed = v.get(TABLES).orElse(List.of());
    List<String> both = listed.stream().filter(v.get(SHARED)::contains).toList();
    if (!both.isEmpty()) {
      problems.add(
          new SpecProblem(
              v.location(SHARED),
              v.path(SHARED),
              both + " also listed in tenancy.tables: a table is either a tenant table or shared"));
    }
    List<String> sharedChildren =
        v.get(THROUGH).keySet().stream().filter(v.get(SHARED)::contains).sorted().toList();
    if (!sharedChildren.isEmpty()) {
      problems.add(
          new SpecProblem(
              v.location(THROUGH),
              v.path(THROUGH),
              sharedChildren + " also listed in tenancy.shared: a child table is isolated"));
    }
    List<String> orphanBy =
        v.get(BY).keySet().stream().filter(t -> !v.get(THROUGH).containsKey(t)).sorted().toList();
    if (!orphanBy.isEmpty()) {
      problems.add(
          new SpecProblem(
              v.location(BY),
              v.path(BY),
              orphanBy + " in tenancy.by but not in tenancy.through: name the parent there too"));
    }
    return problems;
  }

  /** A role name, where {@code {db}} stands for the database, e.g. {@code {db}_tenant_admin}. */
  private static Type<String> adminRoleType() {
    String allowed = "a role name, {db} standing for the database, e.g. {db}_tenant_admin";
    Type<String> identifier = Types.identifier();
    return Type.of(
        allowed,
        value -> {
          String text = Types.string(allowed).read(value);
          identifier.read(new Value.Scalar(text.replace("{db}", "db"), value.location()));
          return text;
        },
        value -> "\"" + value + "\"");
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
