package dev.strata.ops.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Alertmanager 0.25's own log lines (debug level), as it wrote them on this machine. */
final class AlertsLogTest {
  private static final String LIVE_OK =
      "ts=2026-12-02T14:39:59.778Z caller=notify.go:743 level=debug component=dispatcher"
          + " receiver=live integration=webhook[0] msg=\"Notify success\" attempts=1";
  private static final String DEAD_FAILED =
      "ts=2026-12-02T14:39:49.784Z caller=notify.go:732 level=warn component=dispatcher"
          + " receiver=dead integration=webhook[0] msg=\"Notify attempt failed, will retry later\""
          + " attempts=1 err=\"Post \\\"http://127.0.0.1:1/\\\": dial tcp 127.0.0.1:1: connect:"
          + " connection refused\"";

  @Test
  void another_receivers_success_is_no_proof_for_this_one() {
    String log = LIVE_OK + "\n" + DEAD_FAILED + "\n";
    assertThat(Alerts.attempt(log, "live")).contains(true);
    assertThat(Alerts.attempt(log, "dead")).contains(false);
    assertThat(Alerts.attempt(LIVE_OK, "dead")).isEmpty();
  }

  @Test
  void a_receiver_name_is_matched_whole() {
    assertThat(Alerts.attempt(LIVE_OK, "liv")).isEmpty();
    assertThat(Alerts.attempt(LIVE_OK.replace("receiver=live", "receiver=\"on call\""), "on call"))
        .isEqualTo(Optional.of(true));
  }
}
