package dev.strata.ops.process;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes; the pause grows from 5 ms to 100 ms. */
public final class Wait {
  private Wait() {}

  /** Returns whether {@code condition} became true within {@code limit}. */
  public static boolean until(BooleanSupplier condition, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    long pause = Duration.ofMillis(5).toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, Duration.ofMillis(100).toNanos());
    }
  }
}
