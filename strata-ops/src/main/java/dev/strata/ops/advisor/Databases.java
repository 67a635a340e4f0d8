package dev.strata.ops.advisor;

import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.ops.stack.Stack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * The connections the advisor reads and maintains through: the monitoring role (pg_monitor: every
 * session and statement) for the server-wide checks, each database's owner role for its tables
 * (pg_stats shows a column's statistics only to who may read it; VACUUM and REINDEX need the
 * owner). Both connect directly, never through the pool.
 */
final class Databases {
  private final Stack stack;

  Databases(Stack stack) {
    this.stack = stack;
  }

  /**
   * Refuses a stack that was never brought up, before any check runs.
   *
   * @throws StrataException naming the folder and the fix
   */
  void requireCreated() {
    if (!stack.created()) {
      throw StrataException.environment(
          "the stack in " + stack.projectDir() + " has not been brought up: nothing to check",
          "run `strata up` first");
    }
  }

  List<String> names() {
    return stack.spec().postgres().databases();
  }

  String primary() {
    return stack.spec().postgres().primaryDatabase();
  }

  /** As the monitoring role, to {@code database}. */
  Connection monitor(String database) {
    String role = stack.spec().security().monitorRole();
    String password =
        Secrets.open(stack.stateDir().secretsFile()).require(StackEnvs.postgresSecret(role));
    return connect(stack.env(database).direct().as(role, password));
  }

  /** As the owner role of {@code database}. */
  Connection owner(String database) {
    return connect(stack.env(database).direct());
  }

  private static Connection connect(PgEndpoint endpoint) {
    Properties p = endpoint.jdbcProperties();
    p.setProperty("connectTimeout", "10");
    p.setProperty("ApplicationName", "strata advisor");
    try {
      return DriverManager.getConnection(endpoint.jdbcUrl(), p);
    } catch (SQLException e) {
      throw StrataException.environment(
          "cannot connect to PostgreSQL at " + endpoint + ": " + e.getMessage(),
          "start the stack with `strata up` (check it with `strata status`)");
    }
  }
}
