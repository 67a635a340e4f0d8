package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The context as a SQL prefix put in front of every statement, so that it travels in the same round
 * trip and holds for that very statement whatever happened before it in the transaction (a rollback
 * to a savepoint, a {@code COMMIT} sent as SQL, an error, pgjdbc's autosave): {@code select where
 * (set_config('<tenant>', ?, true) || set_config('<role>', ?, true)) is null; [set local role
 * ..;]}. In a prepared statement the values are bound as parameters 1 and 2, so one server-side
 * prepared statement serves every tenant; in a plain statement they are escape-string literals. In
 * auto-commit mode the prefix and the statement share the implicit transaction that lasts until the
 * protocol's Sync, so the {@code true} (transaction-local) still covers the statement.
 *
 * <p>The select returns no row: {@code set_config} returns the value it set, never NULL, so the
 * condition both runs the two calls (a volatile function in a gating condition runs once) and is
 * false. A row of the two values, as {@code select set_config(..), set_config(..)} returns, cost a
 * paired point-select transaction through PgBouncer about 12% more time than no row
 * (docs/benchmarks.md, "tenancy", 2026-12-02 18:00): pgjdbc builds a result set for it that the
 * wrapper then throws away.
 */
final class ContextSql {
  /** Parameters the prepared prefix takes before the statement's own. */
  static final int PARAMETERS = 2;

  private ContextSql() {}

  /** The prefix of a prepared statement; bind its values with {@link #bind}. */
  static Prefix prepared(TenantSettings settings, TenantContext context, boolean resetRole) {
    StringBuilder sql =
        new StringBuilder("select where (set_config(")
            .append(literal(settings.tenantSetting()))
            .append(", ?, true) || set_config(")
            .append(literal(settings.roleSetting()))
            .append(", ?, true)) is null; ");
    return new Prefix(role(sql, settings, context, resetRole));
  }

  /** The prefix of a plain statement, its values inlined. */
  static Prefix inline(TenantSettings settings, TenantContext context, boolean resetRole) {
    StringBuilder sql =
        new StringBuilder("select where (set_config(")
            .append(literal(settings.tenantSetting()))
            .append(", ")
            .append(literal(tenant(context)))
            .append(", true) || set_config(")
            .append(literal(settings.roleSetting()))
            .append(", ")
            .append(literal(roleValue(settings, context)))
            .append(", true)) is null; ");
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
