package dev.strata.ops.agent;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.jdbc.pool.PoolFigures;
import dev.strata.ops.stack.Stack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The agent's read-only ways in, all as the monitoring identities ({@code strata_monitor}, the
 * Redis {@code monitor} user): one PostgreSQL connection kept open (re-opened after a restart), the
 * PgBouncer admin console, redis-cli.
 */
final class MonitorConnections implements AutoCloseable {
  private final Stack stack;
  private Connection postgres;

  MonitorConnections(Stack stack) {
    this.stack = stack;
  }

  private PgEndpoint role(PgEndpoint base) {
    String role = stack.spec().security().monitorRole();
    return base.as(
        role, Secrets.open(stack.stateDir().secretsFile()).require(StackEnvs.postgresSecret(role)));
  }

  /** The primary database, directly, as the monitoring role; kept open between calls. */
  synchronized Connection postgres() throws SQLException {
    if (postgres != null && postgres.isValid(2)) {
      return postgres;
    }
    close();
    PgEndpoint e = role(stack.env().direct());
    postgres = DriverManager.getConnection(e.jdbcUrl(), e.jdbcProperties());
    return postgres;
  }

  /** A fresh connection to PgBouncer's admin console; the caller closes it. */
  Connection pooler() throws SQLException {
    return PoolFigures.connect(role(stack.env().pooled()));
  }

  /** redis-cli as the read-only {@code monitor} user. */
  RedisCli redis() {
    RedisEndpoint monitor = stack.redisEndpoint(StackEnvs.REDIS_MONITOR_USER);
    return new RedisCli(stack.tools().redisCli(), monitor);
  }

  @Override
  public synchronized void close() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (SQLException e) {
        // A dead connection: nothing to release.
      }
      postgres = null;
    }
  }
}
