package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource that sets the caller's tenant context at the start of every transaction, so code
 * written against a plain DataSource (JdbcTemplate, jOOQ, an ORM) runs under Row-Level Security
 * without passing the tenant around.
 *
 * <p>The context comes from {@code context} — typically reading a {@code ThreadLocal} or a scoped
 * value filled by the web layer — and is asked for at every statement, which carries it as a {@code
 * set_config} select in front of its SQL, in the same round trip, the tenant bound as a parameter
 * of prepared statements (one server-side statement serves every tenant). So no client-side state
 * can go stale: a rollback to a savepoint, SQL {@code COMMIT} or an error cannot leave a statement
 * without its context. In auto-commit mode the prefix and the statement share one implicit
 * transaction. Batches, callable statements and statements asking for generated keys cannot carry
 * the prefix and cost one extra round trip (in auto-commit mode, a transaction is wrapped around
 * them).
 *
 * <pre>{@code
 * DataSource ds = new TenantDataSource(hikari, TenantSettings.defaults(), CurrentTenant::get);
 * }</pre>
 */
public final class TenantDataSource implements DataSource {
  private final DataSource delegate;
  private final TenantSettings settings;
  private final Supplier<TenantContext> context;

  /**
   * @param delegate the pool connections come from, typically a HikariDataSource
   * @param context asked for the context at the start of each transaction; must not return {@code
   *     null} (return {@link TenantContext#none()} when there is no tenant)
   */
  public TenantDataSource(
      DataSource delegate, TenantSettings settings, Supplier<TenantContext> context) {
    this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    this.settings = Objects.requireNonNull(settings, "settings must not be null");
    this.context = Objects.requireNonNull(context, "context must not be null");
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return wrap(delegate.getConnection(username, password));
  }

  private Connection wrap(Connection target) throws SQLException {
    try {
      return ContextConnection.wrap(target, settings, context);
    } catch (SQLException | RuntimeException e) {
      target.close();
      throw e;
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
