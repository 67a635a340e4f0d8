package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Runs work as a tenant: one transaction in which the tenant settings hold the context, so that
 * Row-Level Security policies show and accept that tenant's rows only.
 *
 * <p>The context is transaction-local ({@code set local}, or {@code set_config(name, value, true)}
 * in {@link #apply}): it ends with the transaction and can never reach the next transaction on the
 * same server connection — which behind PgBouncer in transaction mode may be another client's. Both
 * settings are written every time (the one not in use to the empty string), so a value some other
 * client set for its whole session cannot leak in either.
 *
 * <p>The work receives a connection that sends the context with the transaction's first statement,
 * as {@code set local} commands in front of its SQL: no round trip of its own (pgjdbc sends {@code
 * BEGIN} in the same message too). Only when that first statement is a batch, a callable statement
 * or asks for generated keys is the context sent ahead, one extra round trip.
 *
 * <pre>{@code
 * List<String> names = Tenancy.inTenant(dataSource, TenantContext.tenant("42"), conn -> {
 *   try (var rs = conn.createStatement().executeQuery("select name from sites")) { ... }
 * });
 * }</pre>
 */
public final class Tenancy {
  private static final String SET_CONTEXT = "select set_config(?, ?, true), set_config(?, ?, true)";

  private Tenancy() {}

  /**
   * Runs {@code work} in one transaction as {@code context}, with the default setting names; see
   * {@link #inTenant(DataSource, TenantSettings, TenantContext, TenantWork)}.
   */
  public static <T> T inTenant(DataSource dataSource, TenantContext context, TenantWork<T> work)
      throws SQLException {
    return inTenant(dataSource, TenantSettings.defaults(), context, work);
  }

  /**
   * Runs {@code work} in one transaction as {@code context}: commits when it returns, rolls back
   * when it throws (and rethrows), and gives the connection back with its auto-commit mode as it
   * found it. Should {@code work} commit itself, its next statement sets the context again.
   *
   * @throws SQLException from the database or from {@code work}
   */
  public static <T> T inTenant(
      DataSource dataSource, TenantSettings settings, TenantContext context, TenantWork<T> work)
      throws SQLException {
    Objects.requireNonNull(dataSource, "dataSource must not be null");
    Objects.requireNonNull(settings, "settings must not be null");
    Objects.requireNonNull(context, "context must not be null");
    Objects.requireNonNull(work, "work must not be null");
    try (Connection conn = dataSource.getConnection()) {
      boolean autoCommit = conn.getAutoCommit();
      conn.setAutoCommit(false);
      try {
        T result = work.run(ContextConnection.wrap(conn, settings, () -> context));
        conn.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollback(conn, e);
        throw e;
      } finally {
        conn.setAutoCommit(autoCommit);
      }
    }
  }

  /** Runs {@code work} in one transaction as the administrator, who sees every tenant. */
  public static <T> T asAdmin(DataSource dataSource, TenantWork<T> work) throws SQLException {
    return inTenant(dataSource, TenantSettings.defaults(), TenantContext.admin(), work);
  }

  /** Runs {@code work} in one transaction as the administrator named by {@code settings}. */
  public static <T> T asAdmin(DataSource dataSource, TenantSettings settings, TenantWork<T> work)
      throws SQLException {
    return inTenant(dataSource, settings, TenantContext.admin(), work);
  }

  /**
   * Sets {@code context} for the rest of the current transaction of {@code conn}, for callers who
   * manage the transaction themselves (e.g. Spring's {@code @Transactional}). This is a statement
   * of its own, one round trip; {@link TenantDataSource} saves it.
   *
   * @throws SQLException if {@code conn} is in auto-commit mode (the setting would end with this
   *     very statement), or from the database
   */
  public static void apply(Connection conn, TenantSettings settings, TenantContext context)
      throws SQLException {
    if (conn.getAutoCommit()) {
      throw new SQLException(
          "the tenant context needs a transaction, but the connection is in auto-commit mode:"
              + " call setAutoCommit(false) first",
          "25000");
    }
    try (PreparedStatement ps = conn.prepareStatement(SET_CONTEXT)) {
      ps.setString(1, settings.tenantSetting());
      ps.setString(2, context.tenantId().orElse(""));
      ps.setString(3, settings.roleSetting());
      ps.setString(4, context.isAdmin() ? settings.adminRole() : "");
      ps.execute();
    }
  }

  private static void rollback(Connection conn, Throwable cause) {
    try {
      conn.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
