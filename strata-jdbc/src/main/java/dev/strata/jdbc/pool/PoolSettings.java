package dev.strata.jdbc.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * The application side of pooling: how many connections a HikariCP pool keeps to PgBouncer (or to
 * PostgreSQL), and for how long. Behind PgBouncer keep it small: PgBouncer multiplexes many client
 * connections onto few server connections, and each idle client connection here costs PgBouncer
 * nothing but a socket.
 *
 * @param maximumPoolSize the most connections the pool opens
 * @param minimumIdle the idle connections it keeps ready; it retires idle ones above this after
 *     {@code idleTimeout}
 * @param maxLifetime a connection's lifetime; it is replaced when idle after this
 * @param idleTimeout how long a connection above {@code minimumIdle} may stay idle
 * @param connectionTimeout how long {@code getConnection} waits for one
 */
public record PoolSettings(
    int maximumPoolSize,
    int minimumIdle,
    Duration maxLifetime,
    Duration idleTimeout,
    Duration connectionTimeout) {

  /** HikariCP's own defaults, but a fixed pool of 10 behind PgBouncer. */
  public static final PoolSettings DEFAULTS =
      new PoolSettings(
          10, 10, Duration.ofMinutes(30), Duration.ofMinutes(10), Duration.ofSeconds(30));

  public PoolSettings {
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    if (maximumPoolSize < 1) {
      throw new IllegalArgumentException("maximumPoolSize must be at least 1: " + maximumPoolSize);
    }
    if (minimumIdle < 0 || minimumIdle > maximumPoolSize) {
      throw new IllegalArgumentException(
          "minimumIdle must be between 0 and maximumPoolSize ("
              + maximumPoolSize
              + "): "
              + minimumIdle);
    }
    // HikariCP's own floors: shorter values are silently replaced by its defaults.
    if (maxLifetime.compareTo(Duration.ofSeconds(30)) < 0 && !maxLifetime.isZero()) {
      throw new IllegalArgumentException("maxLifetime must be 0 (none) or at least 30 s");
    }
    if (idleTimeout.compareTo(Duration.ofSeconds(10)) < 0 && !idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be 0 (never) or at least 10 s");
    }
    if (connectionTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new IllegalArgumentException("connectionTimeout must be at least 250 ms");
    }
  }

  public PoolSettings withMaximumPoolSize(int n) {
    return new PoolSettings(
        n, Math.min(minimumIdle, n), maxLifetime, idleTimeout, connectionTimeout);
  }

  public PoolSettings withMinimumIdle(int n) {
    return new PoolSettings(maximumPoolSize, n, maxLifetime, idleTimeout, connectionTimeout);
  }

  public PoolSettings withMaxLifetime(Duration d) {
    return new PoolSettings(maximumPoolSize, minimumIdle, d, idleTimeout, connectionTimeout);
  }

  public PoolSettings withIdleTimeout(Duration d) {
    return new PoolSettings(maximumPoolSize, minimumIdle, maxLifetime, d, connectionTimeout);
  }

  public PoolSettings withConnectionTimeout(Duration d) {
    return new PoolSettings(maximumPoolSize, minimumIdle, maxLifetime, idleTimeout, d);
  }
}
