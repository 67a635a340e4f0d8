package dev.strata.jdbc.tenant;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A prepared statement whose SQL gets the context prefix when it is a transaction's first
 * statement. The driver's statement is created when it runs: with the prefix (used for that one
 * execution, as its values belong to that transaction), or without it (kept for the rest).
 * Parameter and option setters are recorded so they can be replayed on whichever statement runs.
 */
final class LazyPreparedStatement {
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
  private final Map<String, Recorded> setters = new LinkedHashMap<>();
  private PreparedStatement plain;
  private PreparedStatement prefixed;
  private PreparedStatement last;
  private boolean closed;

  private record Recorded(Method method, Object[] args) {}

  private LazyPreparedStatement(ContextConnection connection, String sql) {
    this.connection = connection;
    this.sql = sql;
  }

  static PreparedStatement create(ContextConnection connection, String sql) {
    LazyPreparedStatement s = new LazyPreparedStatement(connection, sql);
    return (PreparedStatement)
        Proxy.newProxyInstance(
            LazyPreparedStatement.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (self, method, args) -> s.invoke(method, args));
  }

  private Object invoke(Method method, Object[] args) throws Throwable {
    String name = method.getName();
    int arity = args == null ? 0 : args.length;
    switch (name) {
      case "getConnection":
        return connection.proxy();
      case "close":
        close();
        return null;
      case "isClosed":
        return closed;
      case "clearParameters":
        setters.keySet().removeIf(k -> k.startsWith("p"));
        return plain == null ? null : ContextConnection.call(plain, method, args);
      default:
        break;
    }
    requireOpen();
    if (name.startsWith("set") && arity > 0) {
      boolean option = OPTIONS.contains(name);
      String key = option ? "o" + name : "p" + args[0];
      setters.put(key, new Recorded(method, args));
      return plain == null ? null : ContextConnection.call(plain, method, args);
    }
    if (SINGLE_EXECUTIONS.contains(name) && arity == 0) {
      return execute(method);
    }
    if (name.startsWith("execute")) {
      PreparedStatement s = plain();
      last = s;
      return connection.runWithContext(() -> ContextConnection.call(s, method, args));
    }
    if (name.equals("addBatch") || name.equals("clearBatch")) {
      return ContextConnection.call(plain(), method, args); // the batch runs on the plain one
    }
    PreparedStatement s = last != null ? last : plain();
    return ContextConnection.call(s, method, args);
  }

  private Object execute(Method method) throws Throwable {
    if (connection.inAutoCommit()) {
      PreparedStatement s = plain();
      last = s;
      return connection.runWithContext(() -> ContextConnection.call(s, method, null));
    }
    String prefix = connection.claimPrefix();
    if (prefix == null) {
      last = plain();
      return ContextConnection.call(last, method, null);
    }
    closePrefixed();
    PreparedStatement s = replay(connection.target().prepareStatement(prefix + sql));
    prefixed = s;
    last = s;
    return ContextSql.execute(s, method.getName(), s::execute);
  }

  private PreparedStatement plain() throws Throwable {
    if (plain == null) {
      plain = replay(connection.target().prepareStatement(sql));
    }
    return plain;
  }

  private PreparedStatement replay(PreparedStatement s) throws Throwable {
    for (Recorded r : setters.values()) {
      ContextConnection.call(s, r.method(), r.args());
    }
    return s;
  }

  private void requireOpen() throws SQLException {
    if (closed) {
      throw new SQLException("this statement has been closed", "55000");
    }
  }

  private void closePrefixed() throws SQLException {
    if (prefixed != null) {
      if (last == prefixed) {
        last = null;
      }
      prefixed.close();
      prefixed = null;
    }
  }

  private void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      closePrefixed();
    } finally {
      if (plain != null) {
        plain.close();
      }
    }
  }
}
