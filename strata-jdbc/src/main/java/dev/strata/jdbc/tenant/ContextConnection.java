package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

/**
 * A connection that sets the tenant context in front of every statement it runs, as a {@link
 * ContextSql} prefix in the same round trip. There is no client-side flag saying "the context is
 * set": whatever the transaction went through before (a rollback to a savepoint, SQL {@code
 * COMMIT}, an error, pgjdbc's autosave), each statement runs with the context set just before it,
 * in its own transaction. Where a statement cannot carry the prefix (a batch, a callable statement,
 * a statement asking for generated keys) the context is set by a statement of its own just before
 * it.
 *
 * <p>The driver's objects never escape: {@code unwrap} gives only the wrapper, and statements,
 * result sets and database metadata hand back the wrapper as their connection.
 */
final class ContextConnection implements InvocationHandler {
  private final Connection target;
  private final TenantSettings settings;
  private final Supplier<TenantContext> context;
  private final Connection proxy;

  /** Whether an admin context set a role on this connection: later contexts reset it. */
  private boolean roleSet;

  private ContextConnection(
      Connection target, TenantSettings settings, Supplier<TenantContext> context) {
    this.target = target;
    this.settings = settings;
    this.context = context;
    this.proxy = (Connection) proxy(Connection.class, this);
  }

  /** {@code target}, setting the context {@code context} supplies before every statement. */
  static Connection wrap(
      Connection target, TenantSettings settings, Supplier<TenantContext> context)
      throws SQLException {
    return new ContextConnection(target, settings.forDatabase(target.getCatalog()), context).proxy;
  }

  @Override
  public Object invoke(Object self, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    int arity = args == null ? 0 : args.length;
    switch (name) {
      case "createStatement" -> {
        return statementProxy((Statement) call(target, method, args));
      }
      case "prepareStatement" -> {
        return arity == 1
            ? PrefixedPreparedStatement.create(this, (String) args[0])
            : eagerProxy((Statement) call(target, method, args), PreparedStatement.class);
      }
      case "prepareCall" -> {
        return eagerProxy((Statement) call(target, method, args), CallableStatement.class);
      }
      case "getMetaData" -> {
        return metaDataProxy((DatabaseMetaData) call(target, method, args));
      }
      case "unwrap" -> {
        return unwrap(proxy, (Class<?>) args[0]);
      }
      case "isWrapperFor" -> {
        return ((Class<?>) args[0]).isInstance(proxy);
      }
      case "equals" -> {
        return self == args[0];
      }
      case "hashCode" -> {
        return System.identityHashCode(self);
      }
      case "toString" -> {
        return "TenantConnection[" + target + "]";
      }
      default -> {
        return call(target, method, args);
      }
    }
  }

  Connection target() {
    return target;
  }

  Connection proxy() {
    return proxy;
  }

  TenantSettings settings() {
    return settings;
  }

  /** The prefix of a prepared statement for the current context; bind it with {@link #bind}. */
  ContextSql.Prefix preparedPrefix(TenantContext ctx) {
    return ContextSql.prepared(settings, ctx, noteRole(ctx));
  }

  /** The current context, asked of the supplier for every statement. */
  TenantContext current() {
    TenantContext c = context.get();
    if (c == null) {
      throw new IllegalStateException(
          "the tenant context supplier returned null: return TenantContext.none() when there is"
              + " no tenant");
    }
    return c;
  }

  /** Whether a prefix for {@code ctx} must reset the role an admin context set earlier. */
  private boolean noteRole(TenantContext ctx) {
    boolean reset = roleSet && !ctx.isAdmin();
    roleSet |= ctx.isAdmin();
    return reset;
  }

  /**
   * Runs {@code statement} with the context set by a statement of its own just before it: in the
   * current transaction, or in auto-commit mode in a transaction wrapped around both.
   */
  Object runWithContext(Call statement) throws Throwable {
    if (!target.getAutoCommit()) {
      setContext();
      return statement.run();
    }
    target.setAutoCommit(false);
    try {
      setContext();
      Object result = statement.run();
      target.commit();
      return result;
    } catch (Throwable e) {
      try {
        target.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      target.setAutoCommit(true);
    }
  }

  private void setContext() throws SQLException {
    TenantContext ctx = current();
    ContextSql.Prefix prefix = preparedPrefix(ctx);
    try (PreparedStatement ps = target.prepareStatement(prefix.sql())) {
      ContextSql.bind(ps, settings, ctx);
      ps.execute();
    }
  }

  /** A plain statement: SQL comes with each execute, so the prefix goes in front of it. */
  private Statement statementProxy(Statement statement) {
    Statement[] self = new Statement[1];
    self[0] =
        (Statement)
            proxy(
                Statement.class,
                (p, method, args) -> {
                  String name = method.getName();
                  Object common = common(p, statement, method, args);
                  if (common != NOT_COMMON) {
                    return common;
                  }
                  if (!name.startsWith("execute")) {
                    return guard(call(statement, method, args), self[0]);
                  }
                  boolean carriesSql =
                      args != null && args.length == 1 && args[0] instanceof String;
                  if (!carriesSql) { // executeBatch, or execute(sql, generated keys)
                    return guard(runWithContext(() -> call(statement, method, args)), self[0]);
                  }
                  TenantContext ctx = current();
                  ContextSql.Prefix prefix = ContextSql.inline(settings, ctx, noteRole(ctx));
                  return guard(
                      ContextSql.execute(
                          statement,
                          name,
                          prefix.results(),
                          () -> statement.execute(prefix.sql() + args[0])),
                      self[0]);
                });
    return self[0];
  }

  /** A statement that cannot carry the prefix: the context is set just before it runs. */
  private Object eagerProxy(Statement statement, Class<?> type) {
    Object[] self = new Object[1];
    self[0] =
        proxy(
            type,
            (p, method, args) -> {
              Object common = common(p, statement, method, args);
              if (common != NOT_COMMON) {
                return common;
              }
              if (method.getName().startsWith("execute")) {
                return guard(runWithContext(() -> call(statement, method, args)), self[0]);
              }
              return guard(call(statement, method, args), self[0]);
            });
    return self[0];
  }

  private static final Object NOT_COMMON = new Object();

  /** {@code getConnection}, {@code unwrap} and {@code isWrapperFor} of a statement proxy. */
  Object common(Object self, Statement statement, Method method, Object[] args)
      throws SQLException {
    return switch (method.getName()) {
      case "getConnection" -> proxy;
      case "unwrap" -> unwrap(self, (Class<?>) args[0]);
      case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(self);
      case "equals" -> self == args[0];
      case "hashCode" -> System.identityHashCode(self);
      case "toString" -> "TenantStatement[" + statement + "]";
      default -> NOT_COMMON;
    };
  }

  /** Database metadata whose connection is the wrapper; its result sets have no statement. */
  private DatabaseMetaData metaDataProxy(DatabaseMetaData metaData) {
    return (DatabaseMetaData)
        proxy(
            DatabaseMetaData.class,
            (p, method, args) ->
                switch (method.getName()) {
                  case "getConnection" -> proxy;
                  case "unwrap" -> unwrap(p, (Class<?>) args[0]);
                  case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(p);
                  default -> guard(call(metaData, method, args), null);
                });
  }

  /** {@code result}, a result set made to name {@code statement} as its own. */
  static Object guard(Object result, Object statement) {
    if (!(result instanceof ResultSet rs)) {
      return result;
    }
    return proxy(
        ResultSet.class,
        (p, method, args) ->
            switch (method.getName()) {
              case "getStatement" -> statement;
              case "unwrap" -> unwrap(p, (Class<?>) args[0]);
              case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(p);
              case "equals" -> p == args[0];
              case "hashCode" -> System.identityHashCode(p);
              default -> call(rs, method, args);
            });
  }

  /**
   * {@code self} when it is an {@code iface}; the driver's own object never, as statements run on
   * it would skip the tenant context.
   */
  static Object unwrap(Object self, Class<?> iface) throws SQLException {
    if (iface.isInstance(self)) {
      return self;
    }
    throw new SQLException(
        "the tenant connection does not hand out the driver's "
            + iface.getName()
            + ": statements run on it would skip the tenant context (use the "
            + "java.sql interfaces, or the DataSource without tenancy for such work)",
        "0A000");
  }

  private static Object proxy(Class<?> type, InvocationHandler handler) {
    return Proxy.newProxyInstance(
        ContextConnection.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @FunctionalInterface
  interface Call {
    Object run() throws Throwable;
  }
}
