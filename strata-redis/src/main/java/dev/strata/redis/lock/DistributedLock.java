package dev.strata.redis.lock;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.redis.connect.RedisScript;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A named mutual-exclusion lock in Redis ({@code SET key token NX PX lease}).
 *
 * <p><b>Guarantees, honestly.</b> With one Redis primary that stays up, at most one holder has the
 * lock at a time <em>until its lease runs out</em>: a holder paused longer than its lease (GC,
 * swap, a network partition) loses the lock without knowing, and another may take it. Every
 * acquisition therefore hands out a {@linkplain LockLease#fencingToken() fencing token} that grows
 * strictly with each acquisition; pass it to the resource you protect and have it refuse tokens
 * lower than the highest it has seen. Release and renewal check the holder's random token in Lua,
 * so nobody releases or extends a lock they do not hold. On a failover to a replica that had not
 * received the latest {@code SET} (replication is asynchronous), two holders can coexist, and the
 * fencing counter can go back. The counter has no TTL: the {@code volatile-*} eviction policies and
 * {@code noeviction} never evict it, but under an {@code allkeys-*} policy — Strata's default is
 * {@code redis.policy: allkeys-lru} — Redis may evict it when memory is full, and the next
 * acquisition starts again from 1. When fencing matters, set {@code redis.policy: volatile-lru}
 * (cache entries and sessions all carry TTLs, so they stay evictable). Strata does not implement
 * Redlock, whose safety rests on timing assumptions too. Use a lock for efficiency (avoid duplicate
 * work); for correctness, fence.
 */
public final class DistributedLock {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Take the lock if free, and bump the fencing counter in the same atomic step. */
  private static final RedisScript ACQUIRE =
      new RedisScript(
          """
          if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
            return redis.call('INCR', KEYS[2])
          end
          return 0
          """);

  static final RedisScript RELEASE =
      new RedisScript(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
          return 0
          """);

  static final RedisScript RENEW =
      new RedisScript(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
          end
          return 0
          """);

  private final DistributedLocks locks;
  private final String name;
  final String key;
  private final String fenceKey;

  DistributedLock(DistributedLocks locks, String name) {
    this.locks = locks;
    this.name = name;
    // one hash tag, so the lock and its counter share a Cluster slot
    this.key = "strata:lock:{" + name + "}";
    this.fenceKey = "strata:lock:{" + name + "}:fence";
  }

  /**
   * Tries to take the lock for {@code lease}, waiting up to {@code wait} for it. The lease is not
   * renewed: the lock is released by {@link LockLease#close()} or when the lease runs out.
   *
   * @return the lease, or empty if the lock stayed taken for {@code wait}
   * @throws StrataException if Redis does not answer
   */
  public Optional<LockLease> tryLock(Duration wait, Duration lease) {
    requirePositive(lease, "lease");
    return acquire(wait, lease, false);
  }

  /**
   * Tries to take the lock, waiting up to {@code wait}, with the watchdog lease of {@link
   * DistributedLocks}, renewed every third of it until {@link LockLease#close()}.
   *
   * @return the lease, or empty if the lock stayed taken for {@code wait}
   * @throws StrataException if Redis does not answer
   */
  public Optional<LockLease> tryLock(Duration wait) {
    return acquire(wait, locks.watchdogLease, true);
  }

  /** The name given to {@link DistributedLocks#lock}. */
  public String name() {
    return name;
  }

  private Optional<LockLease> acquire(Duration wait, Duration lease, boolean watchdog) {
    Objects.requireNonNull(wait, "wait must not be null");
    if (wait.isNegative()) {
      throw new IllegalArgumentException("wait must not be negative but was " + wait);
    }
    String token = newToken();
    long deadline = System.nanoTime() + wait.toNanos();
    long pause = 5;
    while (true) {
      long fence = tryOnce(token, lease);
      if (fence > 0) {
        LockLease held = new LockLease(this, token, fence);
        if (watchdog) {
          held.watch(locks.watchdog, lease);
        }
        return Optional.of(held);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      try {
        Thread.sleep(Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left) + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
      pause = Math.min(pause * 2, 100);
    }
  }

  private long tryOnce(String token, Duration lease) {
    try {
      locks.redis.health().checkCallable();
      Long fence =
          ACQUIRE.run(
              locks.redis.sync(),
              ScriptOutputType.INTEGER,
              new String[] {key, fenceKey},
              RedisScript.arg(token),
              RedisScript.arg(lease.toMillis()));
      locks.redis.health().answered();
      return fence;
    } catch (RedisException e) {
      locks.redis.health().failed("locks cannot be taken", e);
      throw unavailable(e);
    }
  }

  boolean runOwned(RedisScript script, String token, byte[]... extra) {
    byte[][] args = new byte[extra.length + 1][];
    args[0] = RedisScript.arg(token);
    System.arraycopy(extra, 0, args, 1, extra.length);
    Long result =
        script.run(locks.redis.sync(), ScriptOutputType.INTEGER, new String[] {key}, args);
    return result == 1;
  }

  dev.strata.redis.connect.RedisHealth health() {
    return locks.redis.health();
  }

  StrataException unavailable(RedisException e) {
    return new StrataException(
        ErrorCode.ENVIRONMENT,
        "lock '"
            + name
            + "': Redis at "
            + locks.redis.address()
            + " does not answer ("
            + e.getMessage()
            + ")",
        "check Redis with `strata status`",
        e);
  }

  private static String newToken() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what + " must not be null");
    if (d.toMillis() <= 0) {
      throw new IllegalArgumentException(what + " must be at least 1 ms but was " + d);
    }
  }

  @Override
  public String toString() {
    return "DistributedLock[" + name + "]";
  }
}
