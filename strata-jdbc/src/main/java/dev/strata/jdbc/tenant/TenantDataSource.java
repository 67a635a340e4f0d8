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
 * value filled by the web layer — and is asked for when a transaction runs its first statement.
 * With auto-commit off, the settings travel with that first statement, as {@code set local}
 * commands in front of its SQL: no extra round trip. After {@code commit()} or {@code rollback()}
 * the next statement carries them again. Batches, callable statements and statements asking for
 * generated keys cannot carry them and cost one extra round trip when they start a transaction. In
 * auto-commit mode each statement is its own transaction, so each is wrapped in one (settings,
 * statement, commit): prefer explicit transactions where latency matters.
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

  private Connection wrap(Connection target) {
    return ContextConnection.wrap(target, settings, context);
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
