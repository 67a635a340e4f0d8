package dev.strata.redis.connect;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis answered the last command, and a circuit breaker for when it does not.
 *
 * <p>Logs one WARN line when Redis stops answering and one INFO line when it answers again — never
 * one line per failed call, so an outage does not flood the log.
 *
 * <p>After a command timed out (Redis is connected but silent), the breaker opens: {@link
 * #checkCallable()} then fails at once, except for one call per probe interval, which goes to Redis
 * and either closes the breaker (it answered) or keeps it open. A Redis that hangs thus costs the
 * command timeout once per interval, not once per call.
 */
public final class RedisHealth {
  private static final Logger LOG = LoggerFactory.getLogger(RedisHealth.class);

  private final String address;
  private final BooleanSupplier connected;
  private final long probeNanos;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong nextProbe = new AtomicLong();
  private volatile boolean open;

  /**
   * @param connected whether the shared connection is up: Redis counts as answering again only
   *     then, so a second connection that reconnects first does not end the outage early
   */
  RedisHealth(String address, BooleanSupplier connected, Duration probeInterval) {
    this.address = address;
    this.connected = connected;
    this.probeNanos = probeInterval.toNanos();
  }

  /**
   * Records that a command failed.
   *
   * @param consequence what the caller does instead, for the log line, e.g. "cache 'products' calls
   *     its loader (fail open)"
   */
  public void failed(String consequence, Throwable cause) {
    if (cause instanceof RedisCommandTimeoutException) {
      // only silence opens the breaker: an error reply (WRONGTYPE, NOPERM) is an answer, and a
      // command refused while disconnected failed at once, costing nothing to wait out
      nextProbe.set(System.nanoTime() + probeNanos);
      open = true;
    }
    if (down.compareAndSet(false, true)) {
      LOG.warn(
          "Redis at {} does not answer ({}); {} until it answers again",
          address,
          cause.toString(),
          consequence);
    }
  }

  /** Records that a command succeeded. */
  public void answered() {
    if (open) {
      open = false;
    }
    if (down.get() && connected.getAsBoolean() && down.compareAndSet(true, false)) {
      LOG.info("Redis at {} answers again", address);
    }
  }

  /**
   * Lets a call go to Redis unless the breaker is open; while it is, lets one call per probe
   * interval through.
   *
   * @throws RedisUnavailableException if the breaker is open and this call is not the probe
   */
  public void checkCallable() {
    if (!open) {
      return;
    }
    long probeAt = nextProbe.get();
    long now = System.nanoTime();
    if (now - probeAt >= 0 && nextProbe.compareAndSet(probeAt, now + probeNanos)) {
      return; // this call probes
    }
    throw new RedisUnavailableException(address);
  }

  /** Whether the breaker is open (Redis timed out or dropped the link, and has not answered). */
  public boolean isBreakerOpen() {
    return open;
  }

  /** Whether the last command failed. */
  public boolean isDown() {
    return down.get();
  }

  /** host:port of the server, for messages. */
  public String address() {
    return address;
  }

  /** Thrown instead of sending a command while the breaker is open. */
  public static final class RedisUnavailableException extends RedisException {
    private static final long serialVersionUID = 1L;

    RedisUnavailableException(String address) {
      super(
          "Redis at "
              + address
              + " did not answer the last command; not asking again before the next probe");
    }
  }
}
