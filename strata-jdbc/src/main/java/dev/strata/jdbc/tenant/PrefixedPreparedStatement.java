package dev.strata.jdbc.tenant;

import dev.strata.core.tenant.TenantContext;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A prepared statement that runs with the {@link ContextSql} prefix in front of its SQL at every
 * execution, the tenant bound as a parameter: the driver's statement, {@code prefix + sql}, is the
 * same for every tenant, so pgjdbc prepares it once on the server. The application's parameters are
 * recorded and bound to it shifted by the prefix's two. Batches run on the statement without the
 * prefix, after a statement of their own that sets the context.
 */
final class PrefixedPreparedStatement {
  /** Setters of statement options, as opposed to parameters: recorded by name. */
  private static final Set<String> OPTIONS =
      Set.of(
          "setFetchSize",
          "setFetchDirection",
          "setMaxRows",
          "setLargeMaxRows",
          "setMaxFieldSize",
          "setQueryTimeout",
          "setEscapeProcessing",
          "setCursorName",
          "setPoolable");

  private static final Set<String> SINGLE_EXECUTIONS =
      Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate");

  private final ContextConnection connection;
  private final String sql;

  /** Recorded setters: a parameter's by its index (an Integer), an option's by its name. */
  private final Map<Object, Recorded> setters = new LinkedHashMap<>();

  private final Map<String, PreparedStatement> prefixed = new HashMap<>();
  private PreparedStatement plain;
  private PreparedStatement last;
  private Object self;
  private boolean closed;

  private record Recorded(Method method, Object[] args, boolean parameter) {}

  private PrefixedPreparedStatement(ContextConnection connection, String sql) {
    this.connection = connection;
    this.sql = sql;
  }

  static PreparedStatement create(ContextConnection connection, String sql) {
    PrefixedPreparedStatement s = new PrefixedPreparedStatement(connection, sql);
    s.self =
        Proxy.newProxyInstance(
            PrefixedPreparedStatement.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (p, method, args) -> s.invoke(p, method, args));
    return (PreparedStatement) s.self;
  }

  private Object invoke(Object p, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    int arity = args == null ? 0 : args.length;
    if (isCommon(name)) {
      return connection.common(p, last, method, args);
    }
    switch (name) {
      case "close":
        close();
        return null;
      case "isClosed":
        return closed;
      case "clearParameters":
        setters.values().removeIf(Recorded::parameter);
        return plain == null ? null : ContextConnection.call(plain, method, args);
      default:
        break;
    }
    requireOpen();
    if (name.startsWith("set") && arity > 0) {
      boolean option = OPTIONS.contains(name);
      Object key = option ? name : args[0];
      setters.put(key, new Recorded(method, args, !option));
      return plain == null ? null : ContextConnection.call(plain, method, args);
    }
    if (SINGLE_EXECUTIONS.contains(name) && arity == 0) {
      return execute(method);
    }
    if (name.startsWith("execute")) {
      PreparedStatement s = plain();
      last = s;
      return ContextConnection.guard(
          connection.runWithContext(() -> ContextConnection.call(s, method, args)), self);
    }
    if (name.equals("addBatch") || name.equals("clearBatch")) {
      return ContextConnection.call(plain(), method, args); // the batch runs on the plain one
    }
    if (name.equals("getMetaData") || name.equals("getParameterMetaData")) {
      return ContextConnection.call(plain(), method, args);
    }
    PreparedStatement s = last != null ? last : plain();
    return ContextConnection.guard(ContextConnection.call(s, method, args), self);
  }

  private static boolean isCommon(String name) {
    return switch (name) {
      case "getConnection", "unwrap", "isWrapperFor", "equals", "hashCode", "toString" -> true;
      default -> false;
    };
  }

  private Object execute(Method method) throws Throwable {
    TenantContext ctx = connection.current();
    ContextSql.Prefix prefix = connection.preparedPrefix(ctx);
    PreparedStatement s = prefixed.get(prefix.sql());
    if (s == null) {
      s = connection.target().prepareStatement(prefix.sql() + sql);
      prefixed.put(prefix.sql(), s);
    }
    for (Recorded r : setters.values()) {
      Object[] args = r.args();
      if (r.parameter()) {
        args = args.clone();
        args[0] = (Integer) args[0] + ContextSql.PARAMETERS;
      }
      ContextConnection.call(s, r.method(), args);
    }
    ContextSql.bind(s, connection.settings(), ctx);
    last = s;
    PreparedStatement run = s;
    return ContextConnection.guard(
        ContextSql.execute(run, method.getName(), prefix.results(), run::execute), self);
  }

  private PreparedStatement plain() throws Throwable {
    if (plain == null) {
      plain = connection.target().prepareStatement(sql);
      for (Recorded r : setters.values()) {
        ContextConnection.call(plain, r.method(), r.args());
      }
    }
    return plain;
  }

  private void requireOpen() throws SQLException {
    if (closed) {
      throw new SQLException("this statement has been closed", "55000");
    }
  }

  private void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    SQLException failure = null;
    for (PreparedStatement s : prefixed.values()) {
      try {
        s.close();
      } catch (SQLException e) {
        failure = e;
      }
    }
    if (plain != null) {
      plain.close();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
