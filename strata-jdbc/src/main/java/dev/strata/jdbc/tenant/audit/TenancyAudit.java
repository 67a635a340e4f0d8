package dev.strata.jdbc.tenant.audit;

import dev.strata.core.StrataException;
import dev.strata.core.spec.TenancySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The static audit of {@code strata tenancy verify}: reads the live catalog and reports every way
 * the tenant isolation is missing, incomplete or can be got around by the application's role.
 */
public final class TenancyAudit {
  private static final String ROLE =
      "select rolsuper, rolbypassrls from pg_roles where rolname = ?";
  private static final String MEMBER_OF_OWNER = "select pg_has_role(?, ?, 'MEMBER')";
  private static final String POLICIES =
      """
      select p.polname, coalesce(pg_get_expr(p.polqual, p.polrelid), ''),
             coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
      from pg_policy p join pg_class c on c.oid = p.polrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relname = ? and p.polpermissive
      """;
  private static final String VIEWS =
      """
      select distinct n.nspname, v.relname, v.relkind,
             exists (select 1 from unnest(coalesce(v.reloptions, '{}')) o
                     where lower(o) ~ '^security_invoker=(true|on|1|yes)$')
      from pg_depend d
      join pg_rewrite r on r.oid = d.objid
      join pg_class v on v.oid = r.ev_class
      join pg_namespace n on n.oid = v.relnamespace
      join pg_class t on t.oid = d.refobjid
      join pg_namespace tn on tn.oid = t.relnamespace
      where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
        and v.oid <> t.oid and v.relkind in ('v', 'm')
        and tn.nspname = ? and t.relname = any (?)
        and has_table_privilege(?, v.oid, 'SELECT')
      order by 1, 2
      """;
  private static final String DEFINER_FUNCTIONS =
      """
      select p.oid::regprocedure::text, pg_get_functiondef(p.oid)
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and p.prokind in ('f', 'p')
        and n.nspname not in ('pg_catalog', 'information_schema')
        and has_function_privilege(?, p.oid, 'EXECUTE')
      order by 1
      """;

  private final Connection conn;
  private final TenancySpec spec;
  private final String appRole;
  private final List<Finding> findings = new ArrayList<>();

  private TenancyAudit(Connection conn, TenancySpec spec, String appRole) {
    this.conn = conn;
    this.spec = spec;
    this.appRole = appRole;
  }

  /**
   * Audits the database {@code conn} is connected to, for the application role {@code appRole}.
   *
   * @return the findings, worst first; empty when isolation is complete
   * @throws StrataException when the tenant tables cannot be resolved or the role does not exist
   */
  public static List<Finding> run(Connection conn, TenancySpec spec, String appRole)
      throws SQLException {
    TenancyAudit audit = new TenancyAudit(conn, spec, appRole);
    TenantCatalog catalog = TenantCatalog.read(conn, spec);
    List<TenantTable> tables = catalog.tenantTables();
    audit.role(tables);
    for (TenantTable t : tables) {
      audit.table(t);
    }
    for (TenantTable t : catalog.uncovered()) {
      audit.add(
          Severity.CRITICAL,
          t.qualified(),
          "has the tenant column " + t.column() + " but is neither a tenant table nor shared",
          "add it to tenancy.tables and run `strata tenancy plan`, or list it in tenancy.shared");
    }
    audit.views(tables);
    audit.definerFunctions(tables);
    audit.findings.sort(Comparator.comparing(Finding::severity));
    return List.copyOf(audit.findings);
  }

  private void role(List<TenantTable> tables) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(ROLE)) {
      ps.setString(1, appRole);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw StrataException.badInput(
              "the application role " + appRole + " does not exist",
              "check security.app_role in strata.yaml, and that `strata up` created the roles");
        }
        if (rs.getBoolean(1)) {
          add(Severity.CRITICAL, appRole, "is a superuser: RLS never applies to it", revoke());
        }
        if (rs.getBoolean(2)) {
          add(Severity.CRITICAL, appRole, "has BYPASSRLS: RLS never applies to it", revoke());
        }
      }
    }
    Set<String> owners = new TreeSet<>();
    tables.forEach(t -> owners.add(t.owner()));
    for (String owner : owners) {
      if (memberOf(owner)) {
        add(
            Severity.CRITICAL,
            appRole,
            (owner.equals(appRole) ? "owns" : "is a member of " + owner + ", which owns")
                + " tenant tables: it can disable or drop their RLS policies",
            "make another role own the schema (the migrations' role) and revoke "
                + owner
                + " from "
                + appRole);
      }
    }
  }

  private String revoke() {
    return "alter role " + Sql.ident(appRole) + " nosuperuser nobypassrls";
  }

  private boolean memberOf(String owner) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(MEMBER_OF_OWNER)) {
      ps.setString(1, appRole);
      ps.setString(2, owner);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private void table(TenantTable t) throws SQLException {
    String name = t.qualified();
    String plan = "run `strata tenancy plan` and apply the migration it writes";
    if (!t.rlsEnabled()) {
      add(Severity.CRITICAL, name, "row-level security is not enabled: every tenant sees it", plan);
    } else if (!t.rlsForced()) {
      add(
          Severity.HIGH,
          name,
          "row-level security is not forced: its owner " + t.owner() + " bypasses the policies",
          plan);
    }
    Set<String> missing = new TreeSet<>(TenantTable.ALL_COMMANDS);
    missing.removeAll(t.commands());
    if (!missing.isEmpty()) {
      add(
          Severity.HIGH,
          name,
          "no permissive policy for " + String.join(", ", missing) + ": those commands see no rows",
          plan);
    }
    policies(t);
    if (!t.indexed()) {
      add(
          Severity.WARNING,
          name,
          "no index leads with the policy column " + t.column() + ": every query scans the table",
          plan + " (it adds the index), or create one");
    }
    if (!t.columnNotNull()) {
      add(
          Severity.WARNING,
          name,
          "the tenant column " + t.column() + " allows NULL: such rows belong to no tenant",
          "alter table " + name + " alter column " + Sql.ident(t.column()) + " set not null");
    }
  }

  private void policies(TenantTable t) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(POLICIES)) {
      ps.setString(1, t.schema());
      ps.setString(2, t.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String expr = rs.getString(2) + " " + rs.getString(3);
          if (!expr.contains(spec.tenantSetting())) {
            add(
                Severity.CRITICAL,
                t.qualified(),
                "permissive policy "
                    + rs.getString(1)
                    + " does not check "
                    + spec.tenantSetting()
                    + ": policies are OR-ed, so it opens the rows it matches to every tenant",
                "drop policy " + Sql.ident(rs.getString(1)) + " on " + t.qualified());
          }
        }
      }
    }
  }

  private void views(List<TenantTable> tables) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(VIEWS)) {
      ps.setString(1, spec.schema());
      ps.setArray(2, conn.createArrayOf("text", tables.stream().map(TenantTable::name).toArray()));
      ps.setString(3, appRole);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String view = Sql.qualified(rs.getString(1), rs.getString(2));
          if (rs.getString(3).equals("m")) {
            add(
                Severity.CRITICAL,
                view,
                "materialized view over tenant tables readable by "
                    + appRole
                    + ": it holds every tenant's rows and has no RLS",
                "revoke select on " + view + " from " + appRole + ", or drop it");
          } else if (!rs.getBoolean(4)) {
            add(
                Severity.CRITICAL,
                view,
                "view over tenant tables is not security_invoker: it reads them as its owner",
                "alter view " + view + " set (security_invoker = true)");
          }
        }
      }
    }
  }

  private void definerFunctions(List<TenantTable> tables) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(DEFINER_FUNCTIONS)) {
      ps.setString(1, appRole);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String body = rs.getString(2);
          List<String> read =
              tables.stream().map(TenantTable::name).filter(n -> mentions(body, n)).toList();
          if (!read.isEmpty()) {
            add(
                Severity.HIGH,
                rs.getString(1),
                "SECURITY DEFINER function executable by "
                    + appRole
                    + " reads tenant tables "
                    + read
                    + " with its owner's rights",
                "make it security invoker, or revoke execute on function "
                    + rs.getString(1)
                    + " from public, "
                    + appRole);
          }
        }
      }
    }
  }

  private static boolean mentions(String body, String table) {
    return Pattern.compile("(?i)(?<![a-z0-9_])\"?" + Pattern.quote(table) + "\"?(?![a-z0-9_])")
        .matcher(body)
        .find();
  }

  private void add(Severity severity, String object, String problem, String fix) {
    findings.add(new Finding(severity, object, problem, fix));
  }
}
