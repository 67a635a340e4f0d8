package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The context as a SQL prefix put in front of every statement, so that it travels in the same round
 * trip and holds for that very statement whatever happened before it in the transaction (a rollback
 * to a savepoint, a {@code COMMIT} sent as SQL, an error, pgjdbc's autosave): {@code select
 * set_config('<tenant>', ?, true), set_config('<role>', ?, true); [set local role ..;]}. In a
 * prepared statement the values are bound as parameters 1 and 2, so one server-side prepared
 * statement serves every tenant; in a plain statement they are escape-string literals. In
 * auto-commit mode the prefix and the statement share the implicit transaction that lasts until the
 * protocol's Sync, so the {@code true} (transaction-local) still covers the statement.
 *
 * <p>What the prefix costs is the extra statement in the round trip, not its form: paired
 * point-select transactions through PgBouncer measured a select of no row ({@code select where
 * (set_config(..) || set_config(..)) is null}) and one {@code set_config} instead of two within
 * 2-3% of this form, inside the spread (docs/benchmarks.md, "tenancy", 2026-12-02 18:15).
 */
final class ContextSql {
  /** Parameters the prepared prefix takes before the statement's own. */
  static final int PARAMETERS = 2;

  /**
   * Prepared prefixes by settings: [admin, reset role, neither]. A prefix depends on nothing else,
   * and every statement asks for one: built once, its SQL string (the key of the statement it is
   * prepared with) is not rebuilt and rehashed per execution.
   */
  private static final Map<TenantSettings, Prefix[]> PREPARED = new ConcurrentHashMap<>();

  private ContextSql() {}

  /** The prefix of a prepared statement; bind its values with {@link #bind}. */
  static Prefix prepared(TenantSettings settings, TenantContext context, boolean resetRole) {
    Prefix[] cached = PREPARED.computeIfAbsent(settings, s -> new Prefix[3]);
    int kind = context.isAdmin() ? 0 : resetRole ? 1 : 2;
    Prefix prefix = cached[kind];
    if (prefix == null) {
      prefix = build(settings, context, resetRole);
      cached[kind] = prefix; // a race builds the same value twice: harmless
    }
    return prefix;
  }

  private static Prefix build(TenantSettings settings, TenantContext context, boolean resetRole) {
    StringBuilder sql =
        new StringBuilder("select set_config(")
            .append(literal(settings.tenantSetting()))
            .append(", ?, true), set_config(")
            .append(literal(settings.roleSetting()))
            .append(", ?, true); ");
    return new Prefix(role(sql, settings, context, resetRole));
  }

  /** The prefix of a plain statement, its values inlined. */
  static Prefix inline(TenantSettings settings, TenantContext context, boolean resetRole) {
    StringBuilder sql =
        new StringBuilder("select set_config(")
            .append(literal(settings.tenantSetting()))
            .append(", ")
            .append(literal(tenant(context)))
            .append(", true), set_config(")
            .append(literal(settings.roleSetting()))
            .append(", ")
            .append(literal(roleValue(settings, context)))
            .append(", true); ");
    return new Prefix(role(sql, settings, context, resetRole));
  }

  /** Binds the prepared prefix's values to parameters 1 and 2 of {@code ps}. */
  static void bind(PreparedStatement ps, TenantSettings settings, TenantContext context)
      throws SQLException {
    ps.setString(1, tenant(context));
    ps.setString(2, roleValue(settings, context));
  }

  /**
   * The SQL and how many results it adds in front of the statement's own: the {@code set_config}
   * select, and a {@code set local role} when there is one.
   */
  record Prefix(String sql, int results) {
    Prefix(StringBuilder sql) {
      this(sql.toString(), sql.indexOf("set local role") >= 0 ? 2 : 1);
    }
  }

  private static StringBuilder role(
      StringBuilder sql, TenantSettings settings, TenantContext context, boolean resetRole) {
    if (context.isAdmin()) {
      sql.append("set local role ").append(ident(settings.adminRole())).append("; ");
    } else if (resetRole) {
      sql.append("set local role none; ");
    }
    return sql;
  }

  static String tenant(TenantContext context) {
    return context.tenantId().orElse("");
  }

  static String roleValue(TenantSettings settings, TenantContext context) {
    return context.isAdmin() ? settings.adminRole() : "";
  }

  /**
   * Executes {@code statement}, whose SQL carries a prefix adding {@code skip} results, the way
   * {@code method} ({@code execute}, {@code executeQuery}, {@code executeUpdate} or {@code
   * executeLargeUpdate}) would execute the SQL alone, and returns what that would return.
   */
  static Object execute(Statement statement, String method, int skip, Execution execution)
      throws SQLException {
    execution.run();
    for (int i = 0; i < skip; i++) {
      statement.getMoreResults();
    }
    ResultSet rs = statement.getResultSet();
    return switch (method) {
      case "executeQuery" -> {
        if (rs == null) {
          throw new SQLException("No results were returned by the query.", "02000");
        }
        yield rs;
      }
      case "executeUpdate" -> {
        requireNoResultSet(rs);
        yield statement.getUpdateCount();
      }
      case "executeLargeUpdate" -> {
        requireNoResultSet(rs);
        yield statement.getLargeUpdateCount();
      }
      default -> rs != null;
    };
  }

  private static void requireNoResultSet(ResultSet rs) throws SQLException {
    if (rs != null) {
      throw new SQLException("A result was returned when none was expected.", "0100E");
    }
  }

  /** The driver's {@code execute}. */
  @FunctionalInterface
  interface Execution {
    void run() throws SQLException;
  }

  /** {@code "name"}: the admin role as an identifier. */
  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * An escape-string literal: its meaning does not depend on {@code standard_conforming_strings}.
   */
  static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a tenant context value must not contain NUL");
    }
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
