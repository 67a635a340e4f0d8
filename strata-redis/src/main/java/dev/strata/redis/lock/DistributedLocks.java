package dev.strata.redis.lock;

import dev.strata.redis.connect.StrataRedis;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

/**
 * Makes {@link DistributedLock}s on one Redis, and runs the watchdog that renews the leases of
 * locks taken without an explicit lease. Create one per application; close it on shutdown.
 */
public final class DistributedLocks implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,200}");

  final StrataRedis redis;
  final Duration watchdogLease;
  final ScheduledExecutorService watchdog;

  /** Locks with a watchdog lease of 30 s (renewed every 10 s while held). */
  public DistributedLocks(StrataRedis redis) {
    this(redis, Duration.ofSeconds(30));
  }

  /**
   * Locks whose watchdog lease is {@code watchdogLease}: a holder that dies keeps the lock at most
   * that long; the watchdog renews it every third of it while the holder lives.
   *
   * @throws IllegalArgumentException if the lease is shorter than twice the connection's command
   *     timeout, which a slow renewal could outlast
   */
  public DistributedLocks(StrataRedis redis, Duration watchdogLease) {
    this.redis = Objects.requireNonNull(redis, "redis must not be null");
    Objects.requireNonNull(watchdogLease, "watchdogLease must not be null");
    Duration floor = redis.commandTimeout().multipliedBy(2);
    if (watchdogLease.compareTo(floor) < 0) {
      // a renewal may take up to the command timeout; a lease shorter than two of them can run
      // out while its renewal is still on the way, and the lock is lost though its holder lives
      throw new IllegalArgumentException(
          "watchdogLease must be at least twice the command timeout ("
              + floor
              + ") but was "
              + watchdogLease);
    }
    this.watchdogLease = watchdogLease;
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "strata-lock-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The lock called {@code name} (letters, digits, {@code _ . : -}). Cheap: the lock is only a name
   * until {@code tryLock}.
   */
  public DistributedLock lock(String name) {
    Objects.requireNonNull(name, "name must not be null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "lock name must be 1 to 200 letters, digits, '_', '.', ':' or '-' but was '"
              + name
              + "'");
    }
    return new DistributedLock(this, name);
  }

  /** Stops the watchdog; leases still held then expire on their own. */
  @Override
  public void close() {
    watchdog.shutdownNow();
  }
}
