package dev.strata.test;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.ops.stack.Component;
import dev.strata.ops.stack.Stack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A running throwaway stack, as a test sees it: its connection strings, JDBC connections, and
 * control over each server (to test what happens when Redis or PgBouncer goes away).
 */
public final class StrataStack {
  private final Stack stack;

  StrataStack(Stack stack) {
    this.stack = stack;
  }

  /** The connection strings of the first database, as {@code strata env} prints them. */
  public StackEnv env() {
    return stack.env();
  }

  /** The connection strings of {@code database}. */
  public StackEnv env(String database) {
    return stack.env(database);
  }

  /** A new JDBC connection to {@code endpoint}; the caller closes it. */
  public Connection connect(PgEndpoint endpoint) throws SQLException {
    return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
  }

  /** Stops one server, for tests of what clients do when it is gone. */
  public void stop(Component component) {
    stack.stop(component);
  }

  /** Starts one server again. */
  public void start(Component component) {
    stack.start(component);
  }

  /** The project folder: strata.yaml, and the stack's state in {@code .strata/}. */
  public Path home() {
    return stack.projectDir();
  }

  /** The stack itself, for tests of Strata's own operations. */
  public Stack stack() {
    return stack;
  }
}
