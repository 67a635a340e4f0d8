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
 * The connection {@link TenantDataSource} hands out: it tracks where transactions begin and writes
 * the tenant settings before the first statement of each. Statements it creates are wrapped too, so
 * a statement prepared in one transaction and run in the next still gets the context.
 */
final class ContextConnection implements InvocationHandler {
  private final Connection target;
  private final TenantSettings settings;
  private final Supplier<TenantContext> context;
  private Connection proxy;
  private boolean contextSet;

  ContextConnection(Connection target, TenantSettings settings, Supplier<TenantContext> context) {
    this.target = target;
    this.settings = settings;
    this.context = context;
  }

  @Override
  public Object invoke(Object self, Method method, Object[] args) throws Throwable {
    proxy = (Connection) self;
    String name = method.getName();
    Object result = call(target, method, args);
    switch (name) {
      case "commit", "setAutoCommit", "close" -> contextSet = false;
      case "rollback" -> contextSet = contextSet && args != null; // rollback(Savepoint) stays
      case "createStatement" -> result = wrap((Statement) result, Statement.class);
      case "prepareStatement" -> result = wrap((Statement) result, PreparedStatement.class);
      case "prepareCall" -> result = wrap((Statement) result, CallableStatement.class);
      default -> {}
    }
    return result;
  }

  private Object wrap(Statement statement, Class<?> type) {
    return Proxy.newProxyInstance(
        ContextConnection.class.getClassLoader(),
        new Class<?>[] {type},
        (self, method, args) -> {
          if (method.getName().equals("getConnection")) {
            return proxy;
          }
          if (method.getName().startsWith("execute")) {
            return execute(() -> call(statement, method, args));
          }
          return call(statement, method, args);
        });
  }

  private Object execute(Call statement) throws Throwable {
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

  private TenantContext current() {
    TenantContext c = context.get();
    if (c == null) {
      throw new IllegalStateException(
          "the tenant context supplier returned null: return TenantContext.none() when there is"
              + " no tenant");
    }
    return c;
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @FunctionalInterface
  private interface Call {
    Object run() throws Throwable;
  }
}
