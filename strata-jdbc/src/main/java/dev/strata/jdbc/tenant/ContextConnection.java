package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

/**
 * A connection that sets the tenant context at the start of every transaction, lazily: the context
 * is asked for when the transaction runs its first statement, and travels with that statement as a
 * {@link ContextSql} prefix — no round trip of its own. Where the statement cannot carry it (a
 * batch, a callable statement, a statement asking for generated keys) the context is set by a
 * statement of its own first. In auto-commit mode each statement is its own transaction and is
 * wrapped in one that sets the context.
 */
final class ContextConnection implements InvocationHandler {
  private final Connection target;
  private final TenantSettings settings;
  private final Supplier<TenantContext> context;
  private final Connection proxy;
  private boolean contextSet;

  private ContextConnection(
      Connection target, TenantSettings settings, Supplier<TenantContext> context) {
    this.target = target;
    this.settings = settings;
    this.context = context;
    this.proxy =
        (Connection)
            Proxy.newProxyInstance(
                ContextConnection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
  }

  /** {@code target}, setting the context {@code context} supplies in every transaction. */
  static Connection wrap(
      Connection target, TenantSettings settings, Supplier<TenantContext> context) {
    return new ContextConnection(target, settings, context).proxy;
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
            ? LazyPreparedStatement.create(this, (String) args[0])
            : eagerProxy((Statement) call(target, method, args), PreparedStatement.class);
      }
      case "prepareCall" -> {
        return eagerProxy((Statement) call(target, method, args), CallableStatement.class);
      }
      default -> {}
    }
    Object result = call(target, method, args);
    switch (name) {
      case "commit", "setAutoCommit", "close" -> contextSet = false;
      case "rollback" -> contextSet = contextSet && arity == 1; // rollback(Savepoint) stays
      default -> {}
    }
    return result;
  }

  Connection target() {
    return target;
  }

  Connection proxy() {
    return proxy;
  }

  /**
   * The prefix the next statement must carry to set the context, or {@code null} when the
   * transaction has it already; in both cases the transaction has it once that statement runs. Only
   * for explicit transactions: see {@link #inAutoCommit()}.
   */
  String claimPrefix() {
    if (contextSet) {
      return null;
    }
    contextSet = true;
    return ContextSql.prefix(settings, current());
  }

  /** Whether statements run in auto-commit mode, each its own transaction. */
  boolean inAutoCommit() throws SQLException {
    return target.getAutoCommit();
  }

  /**
   * Runs {@code statement} with the context set by a statement of its own: in the current
   * transaction, or in auto-commit mode in a transaction wrapped around it.
   */
  Object runWithContext(Call statement) throws Throwable {
    if (!target.getAutoCommit()) {
      if (!contextSet) {
        Tenancy.apply(target, settings, current());
        contextSet = true;
      }
      return statement.run();
    }
    target.setAutoCommit(false);
    try {
      Tenancy.apply(target, settings, current());
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

  /** A plain statement: SQL comes with each execute, so the prefix goes in front of it. */
  private Statement statementProxy(Statement statement) {
    return (Statement)
        Proxy.newProxyInstance(
            ContextConnection.class.getClassLoader(),
            new Class<?>[] {Statement.class},
            (self, method, args) -> {
              String name = method.getName();
              if (name.equals("getConnection")) {
                return proxy;
              }
              if (!name.startsWith("execute")) {
                return call(statement, method, args);
              }
              boolean carriesSql = args != null && args.length == 1 && args[0] instanceof String;
              if (carriesSql && !inAutoCommit()) {
                String prefix = claimPrefix();
                if (prefix == null) {
                  return call(statement, method, args);
                }
                return ContextSql.execute(
                    statement, name, () -> statement.execute(prefix + args[0]));
              }
              return runWithContext(() -> call(statement, method, args));
            });
  }

  /** A statement that cannot carry the prefix: the context is set before it runs. */
  private Object eagerProxy(Statement statement, Class<?> type) {
    return Proxy.newProxyInstance(
        ContextConnection.class.getClassLoader(),
        new Class<?>[] {type},
        (self, method, args) -> {
          if (method.getName().equals("getConnection")) {
            return proxy;
          }
          if (method.getName().startsWith("execute")) {
            return runWithContext(() -> call(statement, method, args));
          }
          return call(statement, method, args);
        });
  }

  private TenantContext current() {
    TenantContext c = context.get();
    if (c == null) {
      throw new IllegalStateException(
          "the tenant context supplier returned null: return TenantContext.none() when there is"
              + " no tenant");
    }
    return c;
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
