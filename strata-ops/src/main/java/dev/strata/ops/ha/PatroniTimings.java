package dev.strata.ops.ha;

import java.time.Duration;

/**
 * Patroni's three timings derived from {@code postgres.rto}: the leader key's time to live is the
 * target, the loop runs ten times within it (at least every second), and operations are retried for
 * what is left, so that Patroni's rule {@code loop_wait + 2 × retry_timeout ≤ ttl} holds.
 *
 * @param ttl seconds a leader that stops renewing its key keeps it
 * @param loopWait seconds between two runs of Patroni's loop
 * @param retryTimeout seconds etcd and PostgreSQL operations are retried before a leader demotes
 */
public record PatroniTimings(int ttl, int loopWait, int retryTimeout) {

  public PatroniTimings {
    if (loopWait < 1 || retryTimeout < 1 || loopWait + 2 * retryTimeout > ttl) {
      throw new IllegalArgumentException(
          "Patroni needs loop_wait + 2 x retry_timeout <= ttl: " + this);
    }
  }

  /** The timings for an RTO target (5 s to 5 min). */
  public static PatroniTimings forRto(Duration rto) {
    int ttl = (int) Math.max(5, rto.toSeconds());
    int loopWait = Math.max(1, ttl / 10);
    int retryTimeout = Math.max(1, Math.min(30, (ttl - loopWait) / 2));
    return new PatroniTimings(ttl, loopWait, retryTimeout);
  }
}
