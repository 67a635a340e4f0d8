package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The context as a SQL prefix, {@code set local <tenant> = '..'; set local <role> = '..'; }, put in
 * front of a transaction's first statement so that both travel in one round trip, and the execution
 * that steps over the two {@code SET} results to the statement's own.
 */
final class ContextSql {
  private ContextSql() {}

  /**
   * Executes {@code statement}, whose SQL carries the prefix, the way {@code method} ({@code
   * execute}, {@code executeQuery}, {@code executeUpdate} or {@code executeLargeUpdate}) would
   * execute the SQL alone, and returns what that would return.
   */
  static Object execute(Statement statement, String method, Execution execution)
      throws SQLException {
    execution.run();
    statement.getMoreResults(); // the tenant setting's SET
    statement.getMoreResults(); // the role setting's SET
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

  static String prefix(TenantSettings settings, TenantContext context) {
    return "set local "
        + setting(settings.tenantSetting())
        + " = "
        + literal(context.tenantId().orElse(""))
        + "; set local "
        + setting(settings.roleSetting())
        + " = "
        + literal(context.isAdmin() ? settings.adminRole() : "")
        + "; ";
  }

  /** {@code "app"."current_role"}: quoted, as {@code current_role} is a reserved word. */
  private static String setting(String name) {
    int dot = name.indexOf('.');
    return "\"" + name.substring(0, dot) + "\".\"" + name.substring(dot + 1) + "\"";
  }

  /**
   * An escape-string literal: its meaning does not depend on {@code standard_conforming_strings}.
   */
  private static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a tenant context value must not contain NUL");
    }
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
