package dev.strata.redis.connect;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis answered the last command. Logs one WARN line when Redis stops answering and one
 * INFO line when it answers again — never one line per failed call, so an outage does not flood the
 * log.
 */
public final class RedisHealth {
  private static final Logger LOG = LoggerFactory.getLogger(RedisHealth.class);

  private final String address;
  private final BooleanSupplier connected;
  private final AtomicBoolean down = new AtomicBoolean();

  /**
   * @param connected whether the shared connection is up: Redis counts as answering again only
   *     then, so a second connection that reconnects first does not end the outage early
   */
  RedisHealth(String address, BooleanSupplier connected) {
    this.address = address;
    this.connected = connected;
  }

  /**
   * Records that a command failed.
   *
   * @param consequence what the caller does instead, for the log line, e.g. "cache 'products' calls
   *     its loader (fail open)"
   */
  public void failed(String consequence, Throwable cause) {
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
    if (down.get() && connected.getAsBoolean() && down.compareAndSet(true, false)) {
      LOG.info("Redis at {} answers again", address);
    }
  }

  /** Whether the last command failed. */
  public boolean isDown() {
    return down.get();
  }

  /** host:port of the server, for messages. */
  public String address() {
    return address;
  }
}
