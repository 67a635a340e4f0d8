package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Supplier;
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
 * <p>The work receives a connection that sends the context with every statement, as a {@code
 * set_config} select in front of its SQL, in the same round trip: it holds for each statement
 * whatever the transaction went through before (a rollback to a savepoint, SQL {@code COMMIT}, an
 * error). Only batches, callable statements and statements asking for generated keys get the
 * context sent ahead, one extra round trip. The administrator is a database role: {@link
 * TenantContext#admin()} runs {@code SET LOCAL ROLE} to {@link TenantSettings#adminRole()}, which
 * the application's role must have been granted.
 *
 * <pre>{@code
 * List<String> names = Tenancy.inTenant(dataSource, TenantContext.tenant("42"), conn -> {
 *   try (var rs = conn.createStatement().executeQuery("select name from sites")) { ... }
 * });
 * }</pre>
 */
public final class Tenancy {

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
   * Connections handed to {@code work} must not outlive it.
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

  /**
   * Runs {@code work} in one transaction as the administrator, who sees every tenant: {@code SET
   * LOCAL ROLE} to the default admin role (the application's role must be a member).
   */
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
   * of its own, one round trip; {@link TenantDataSource} saves it. A later rollback to a savepoint
   * taken before this call undoes it: call it again, or use {@link TenantDataSource}, which sets
   * the context with every statement.
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
    // Resets the role unless it is the admin's: an admin context earlier in the transaction
    // must not outlive the switch to a tenant.
    TenantSettings names = settings.forDatabase(conn.getCatalog());
    ContextSql.Prefix prefix = ContextSql.prepared(names, context, !context.isAdmin());
    try (PreparedStatement ps = conn.prepareStatement(prefix.sql())) {
      ContextSql.bind(ps, names, context);
      ps.execute();
    }
  }

  /**
   * {@code conn} wrapped so that every statement run on it sets the context {@code context}
   * supplies at that moment, as {@link TenantDataSource} does for the connections of a pool. For
   * code that holds a connection already; closing the wrapper closes {@code conn}.
   */
  public static Connection connection(
      Connection conn, TenantSettings settings, Supplier<TenantContext> context)
      throws SQLException {
    Objects.requireNonNull(conn, "conn must not be null");
    Objects.requireNonNull(settings, "settings must not be null");
    Objects.requireNonNull(context, "context must not be null");
    return ContextConnection.wrap(conn, settings, context);
  }

  private static void rollback(Connection conn, Throwable cause) {
    try {
      conn.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
