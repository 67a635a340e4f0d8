package dev.strata.redis.lock;

import dev.strata.redis.connect.RedisScript;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A held {@link DistributedLock}. Close it to release (try-with-resources); only the holder's token
 * can release or renew it.
 */
public final class LockLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LockLease.class);

  private final DistributedLock lock;
  private final String token;
  private final long fencingToken;
  private volatile boolean held = true;
  private volatile ScheduledFuture<?> renewals;

  LockLease(DistributedLock lock, String token, long fencingToken) {
    this.lock = lock;
    this.token = token;
    this.fencingToken = fencingToken;
  }

  /**
   * A number that grows with every acquisition of this lock (Redis {@code INCR}): give it to the
   * protected resource so that it can refuse a holder whose lease ran out unnoticed.
   */
  public long fencingToken() {
    return fencingToken;
  }

  /**
   * Whether this lease still believed held: false after {@link #close()}, or once a renewal found
   * the lock gone or someone else's.
   */
  public boolean isHeld() {
    return held;
  }

  /**
   * Extends the lease to {@code lease} from now, if this holder still has the lock.
   *
   * @return false if the lock expired or is someone else's now
   */
  public boolean renew(Duration lease) {
    boolean renewed;
    try {
      renewed = lock.runOwned(DistributedLock.RENEW, token, RedisScript.arg(lease.toMillis()));
      lock.health().answered();
    } catch (RedisException e) {
      throw lock.unavailable(e);
    }
    if (!renewed) {
      held = false;
    }
    return renewed;
  }

  /**
   * Releases the lock if this holder still has it; a lock that expired and was taken by someone
   * else is left alone.
   *
   * @return whether this call released the lock
   */
  public boolean release() {
    stopRenewals();
    if (!held) {
      return false;
    }
    held = false;
    try {
      return lock.runOwned(DistributedLock.RELEASE, token);
    } catch (RedisException e) {
      LOG.warn(
          "lock '{}' not released ({}); it expires at the end of its lease",
          lock.name(),
          e.toString());
      return false;
    }
  }

  /** Same as {@link #release()}. */
  @Override
  public void close() {
    release();
  }

  void watch(ScheduledExecutorService watchdog, Duration lease) {
    long period = Math.max(1, lease.toMillis() / 3);
    renewals =
        watchdog.scheduleAtFixedRate(
            () -> renewOrStop(lease), period, period, TimeUnit.MILLISECONDS);
  }

  private void renewOrStop(Duration lease) {
    if (!held) {
      stopRenewals();
      return;
    }
    try {
      boolean renewed =
          lock.runOwned(DistributedLock.RENEW, token, RedisScript.arg(lease.toMillis()));
      lock.health().answered();
      if (!renewed) {
        held = false;
        stopRenewals();
        LOG.warn("lock '{}' was lost before its holder released it (lease ran out)", lock.name());
      }
    } catch (RedisException e) {
      // one line per outage (RedisHealth), not one per lock per period
      lock.health()
          .failed(
              "the lock watchdog keeps retrying; a lock whose lease runs out meanwhile is lost", e);
    }
  }

  private void stopRenewals() {
    ScheduledFuture<?> r = renewals;
    if (r != null) {
      r.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "LockLease[" + lock.name() + ", fencingToken=" + fencingToken + ", held=" + held + "]";
  }
}
