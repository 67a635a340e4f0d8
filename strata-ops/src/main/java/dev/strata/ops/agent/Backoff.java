package dev.strata.ops.agent;

import java.time.Duration;

/** Exponential backoff: 1 s after the first failure, doubling, capped. */
record Backoff(Duration first, Duration max) {

  /** The wait after {@code failures} consecutive failures (at least 1). */
  Duration after(int failures) {
    long ms = first.toMillis();
    for (int i = 1; i < failures && ms < max.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }
}
