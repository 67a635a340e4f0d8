package dev.strata.it.redis;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds; fails after a generous deadline instead of hanging. */
final class Wait {
  private Wait() {}

  static void until(BooleanSupplier condition) {
    until(condition, Duration.ofSeconds(30));
  }

  static void until(BooleanSupplier condition, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + deadline);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }
}
