package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.lock.DistributedLock;
import dev.strata.redis.lock.DistributedLocks;
import dev.strata.redis.lock.LockLease;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@StrataTest
final class LockIT {
  private static StrataRedis redis;
  private static DistributedLocks locks;

  @BeforeAll
  static void connect(StrataStack stack) {
    redis = StrataRedis.connect(stack.env().redis());
    // 3 s: renewals every second, each with a full command timeout (1 s) to spare
    locks = new DistributedLocks(redis, Duration.ofSeconds(3));
  }

  @AfterAll
  static void close() {
    locks.close();
    redis.close();
  }

  @Test
  void a_held_lock_is_refused_to_others_until_released() {
    DistributedLock lock = locks.lock("exclusive");
    LockLease first = lock.tryLock(Duration.ZERO, Duration.ofMinutes(1)).orElseThrow();

    assertThat(lock.tryLock(Duration.ZERO, Duration.ofMinutes(1))).isEmpty();
    assertThat(first.release()).isTrue();
    try (LockLease second = lock.tryLock(Duration.ZERO, Duration.ofMinutes(1)).orElseThrow()) {
      assertThat(second.isHeld()).isTrue();
    }
  }

  @Test
  void lock_expires_at_the_end_of_its_lease() {
    DistributedLock lock = locks.lock("expiring");
    lock.tryLock(Duration.ZERO, Duration.ofMillis(100)).orElseThrow();

    Wait.until(() -> redis.sync().exists("strata:lock:{expiring}") == 0);
    assertThat(lock.tryLock(Duration.ZERO, Duration.ofMinutes(1))).isPresent();
  }

  @Test
  void release_and_renew_by_a_former_owner_are_refused() {
    DistributedLock lock = locks.lock("stolen");
    LockLease stale = lock.tryLock(Duration.ZERO, Duration.ofMillis(100)).orElseThrow();
    Wait.until(() -> redis.sync().exists("strata:lock:{stolen}") == 0);
    LockLease current = lock.tryLock(Duration.ZERO, Duration.ofMinutes(1)).orElseThrow();

    assertThat(stale.renew(Duration.ofMinutes(1))).isFalse();
    assertThat(stale.isHeld()).isFalse();
    assertThat(stale.release()).isFalse();
    assertThat(current.isHeld()).isTrue();
    assertThat(lock.tryLock(Duration.ZERO, Duration.ofMinutes(1))).isEmpty();
    assertThat(current.release()).isTrue();
  }

  @Test
  void watchdog_keeps_renewing_the_lease_until_release() {
    DistributedLock lock = locks.lock("watched");
    LockLease lease = lock.tryLock(Duration.ZERO).orElseThrow(); // watchdog lease 3 s
    // stretch the TTL far past the lease: only a renewal brings it back to at most 3 s, so the
    // condition below sees a renewal happen, whatever the machine's speed
    redis.sync().pexpire("strata:lock:{watched}", 600_000);

    Wait.until(() -> redis.sync().pttl("strata:lock:{watched}") <= 3_000);

    assertThat(lease.isHeld()).isTrue();
    assertThat(redis.sync().pttl("strata:lock:{watched}")).isPositive();
    assertThat(lock.tryLock(Duration.ZERO, Duration.ofMinutes(1))).isEmpty();
    assertThat(lease.release()).isTrue();
    assertThat(lock.tryLock(Duration.ZERO, Duration.ofMinutes(1))).isPresent();
  }

  @Test
  void a_watchdog_lease_a_slow_renewal_could_outlast_is_refused() {
    assertThatThrownBy(() -> new DistributedLocks(redis, Duration.ofMillis(300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least twice the command timeout (PT2S)");
  }

  @Test
  void fencing_tokens_increase_with_every_acquisition() {
    DistributedLock lock = locks.lock("fenced");
    List<Long> tokens = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      try (LockLease lease = lock.tryLock(Duration.ZERO, Duration.ofMinutes(1)).orElseThrow()) {
        tokens.add(lease.fencingToken());
      }
    }

    assertThat(tokens).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void try_lock_waits_for_the_lock_to_become_free() {
    DistributedLock lock = locks.lock("waited");
    LockLease first = lock.tryLock(Duration.ZERO, Duration.ofMillis(200)).orElseThrow();

    Optional<LockLease> second = lock.tryLock(Duration.ofSeconds(10), Duration.ofMinutes(1));

    assertThat(second).isPresent();
    assertThat(second.get().fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(first.release()).isFalse();
  }

  @Test
  void bad_arguments_are_refused_with_their_value() {
    assertThatThrownBy(() -> locks.lock("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'has space'");
    assertThatThrownBy(() -> locks.lock("x").tryLock(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wait must not be negative");
    assertThatThrownBy(() -> locks.lock("x").tryLock(Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lease must be at least 1 ms");
  }
}
