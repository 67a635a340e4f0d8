package dev.strata.ops.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PatroniTimingsTest {
  @Test
  void every_rto_keeps_patronis_rule() {
    for (int s = 5; s <= 300; s++) {
      PatroniTimings t = PatroniTimings.forRto(Duration.ofSeconds(s));
      assertThat(t.loopWait() + 2 * t.retryTimeout())
          .as("rto %d s", s)
          .isLessThanOrEqualTo(t.ttl());
      assertThat(t.ttl()).isEqualTo(s);
      assertThat(t.loopWait()).isPositive();
    }
    assertThat(PatroniTimings.forRto(Duration.ofSeconds(10)))
        .isEqualTo(new PatroniTimings(10, 1, 4));
  }

  @Test
  void timings_that_break_the_rule_are_refused() {
    assertThatThrownBy(() -> new PatroniTimings(10, 2, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loop_wait + 2 x retry_timeout <= ttl");
  }
}
