package dev.strata.jdbc.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.util.Map;

/**
 * HikariCP pools built from the variables {@code strata env} prints, so an application reads the
 * same environment in every place it runs:
 *
 * <ul>
 *   <li>{@link #primary}: {@code JDBC_DATABASE_URL} with {@code JDBC_DATABASE_USERNAME} / {@code
 *       _PASSWORD} — through PgBouncer, as the app role. That URL already carries what the stack's
 *       PgBouncer needs ({@code prepareThreshold=0} only for a PgBouncer that keeps no prepared
 *       statements).
 *   <li>{@link #replica}: {@code READ_DATABASE_URL}, read-only, through the same PgBouncer to a
 *       replica (only with {@code postgres.nodes} of 2 or more).
 *   <li>{@link #direct}: {@code DIRECT_URL}, straight to the leader, as the owner role: migrations
 *       and work PgBouncer's transaction mode cannot carry (session advisory locks, {@code
 *       LISTEN}).
 * </ul>
 *
 * <pre>{@code
 * HikariDataSource db = PooledDataSources.primary(System.getenv(),
 *     PoolSettings.DEFAULTS.withMaximumPoolSize(25).withMinimumIdle(5));
 * }</pre>
 *
 * Each pool connects once while it is built, so a wrong URL or a stopped stack fails here, with the
 * variable named, and not at the first request.
 */
public final class PooledDataSources {
  private PooledDataSources() {}

  /** The pool through PgBouncer to the leader, as the app role ({@code JDBC_DATABASE_URL}). */
  public static HikariDataSource primary(Map<String, String> env, PoolSettings settings) {
    String url = require(env, "JDBC_DATABASE_URL");
    return build(
        "primary",
        "JDBC_DATABASE_URL",
        url,
        require(env, "JDBC_DATABASE_USERNAME"),
        env.getOrDefault("JDBC_DATABASE_PASSWORD", ""),
        false,
        settings);
  }

  /**
   * The read-only pool through PgBouncer to a replica ({@code READ_DATABASE_URL}). It goes through
   * the same PgBouncer as {@link #primary}, so it takes the same {@code prepareThreshold}.
   */
  public static HikariDataSource replica(Map<String, String> env, PoolSettings settings) {
    PgUrl read = PgUrl.parse(require(env, "READ_DATABASE_URL"));
    String url = read.jdbcUrl();
    String pooled = env.getOrDefault("JDBC_DATABASE_URL", "");
    if (pooled.contains("prepareThreshold=0")) {
      url += (url.contains("?") ? "&" : "?") + "prepareThreshold=0";
    }
    return build("replica", "READ_DATABASE_URL", url, read.user(), read.password(), true, settings);
  }

  /** The pool straight to the leader, as the owner role ({@code DIRECT_URL}). */
  public static HikariDataSource direct(Map<String, String> env, PoolSettings settings) {
    PgUrl direct = PgUrl.parse(require(env, "DIRECT_URL"));
    return build(
        "direct",
        "DIRECT_URL",
        direct.jdbcUrl(),
        direct.user(),
        direct.password(),
        false,
        settings);
  }

  /** The HikariCP configuration {@link #primary} builds, for a caller that adds its own. */
  static HikariConfig config(
      String name, String jdbcUrl, String user, String password, boolean readOnly, PoolSettings s) {
    long life = s.maxLifetime().toMillis();
    long idle = s.idleTimeout().toMillis();
    if (life != 0 && idle != 0 && idle + 1000 > life) {
      // HikariCP would log a warning and set idleTimeout to 0: the pool would not do what was
      // asked.
      throw new IllegalArgumentException(
          "idleTimeout ("
              + s.idleTimeout()
              + ") is not shorter than maxLifetime ("
              + s.maxLifetime()
              + "): a connection is replaced at maxLifetime before it could idle that long, and"
              + " HikariCP would turn idleTimeout off; fix: an idleTimeout at least 1 s below"
              + " maxLifetime, or Duration.ZERO for none");
    }
    HikariConfig c = new HikariConfig();
    c.setPoolName("strata-" + name);
    c.setJdbcUrl(jdbcUrl);
    c.setUsername(user);
    c.setPassword(password);
    c.setReadOnly(readOnly);
    c.setMaximumPoolSize(s.maximumPoolSize());
    c.setMinimumIdle(s.minimumIdle());
    c.setMaxLifetime(s.maxLifetime().toMillis());
    c.setIdleTimeout(s.idleTimeout().toMillis());
    c.setConnectionTimeout(s.connectionTimeout().toMillis());
    return c;
  }

  private static HikariDataSource build(
      String name,
      String variable,
      String jdbcUrl,
      String user,
      String password,
      boolean readOnly,
      PoolSettings settings) {
    try {
      return new HikariDataSource(config(name, jdbcUrl, user, password, readOnly, settings));
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          "cannot connect with "
              + variable
              + " ("
              + jdbcUrl
              + " as "
              + user
              + "): "
              + cause.getMessage()
              + "; fix: check that the stack is up (strata status) and that "
              + variable
              + " is what `strata env` prints now",
          e);
    }
  }

  private static String require(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          name
              + " is not set; fix: export the stack's variables first (eval \"$(strata env)\")"
              + (name.equals("READ_DATABASE_URL")
                  ? ", on a stack with replicas (postgres.nodes: 2 or more)"
                  : ""));
    }
    return value;
  }
}
