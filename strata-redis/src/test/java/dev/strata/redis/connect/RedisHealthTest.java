package dev.strata.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RedisHealthTest {
  private final RedisHealth health = new RedisHealth("h:1", () -> true, Duration.ofMinutes(10));

  @Test
  void a_timeout_opens_the_breaker_and_calls_fail_at_once() {
    health.checkCallable();

    health.failed("test", new RedisCommandTimeoutException("timed out"));

    assertThat(health.isBreakerOpen()).isTrue();
    assertThatThrownBy(health::checkCallable)
        .isInstanceOf(RedisHealth.RedisUnavailableException.class)
        .hasMessageContaining("Redis at h:1 did not answer");
  }

  @Test
  void one_call_per_probe_interval_goes_through_and_an_answer_closes_the_breaker() {
    RedisHealth fast = new RedisHealth("h:1", () -> true, Duration.ofMillis(1));
    fast.failed("test", new RedisCommandTimeoutException("timed out"));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    boolean probed = false;
    while (!probed && System.nanoTime() < deadline) {
      try {
        fast.checkCallable();
        probed = true;
      } catch (RedisHealth.RedisUnavailableException e) {
        Thread.onSpinWait();
      }
    }
    assertThat(probed).isTrue();
    // the probe's own rejection must not push the next probe away: only real failures do
    fast.failed("test", new RedisHealth.RedisUnavailableException("h:1"));
    fast.answered();

    assertThat(fast.isBreakerOpen()).isFalse();
    assertThat(fast.isDown()).isFalse();
    fast.checkCallable();
  }

  @Test
  void an_error_reply_or_a_refused_command_leaves_the_breaker_closed() {
    health.failed("test", new RedisCommandExecutionException("WRONGTYPE"));
    health.failed("test", new io.lettuce.core.RedisException("Currently not connected"));

    assertThat(health.isBreakerOpen()).isFalse();
    assertThat(health.isDown()).isTrue();
    health.checkCallable();
  }
}
