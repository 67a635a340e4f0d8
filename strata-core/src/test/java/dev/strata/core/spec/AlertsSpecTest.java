package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class AlertsSpecTest {

  private static StrataSpec parse(String yaml) {
    return SpecLoader.parse(yaml, "strata.yaml", name -> null);
  }

  @Test
  void with_no_sections_monitoring_is_on_with_the_seeds_thresholds_and_no_receiver() {
    StrataSpec s = parse("");
    assertThat(s.monitoring().enabled()).isTrue();
    assertThat(s.monitoring().retention()).isEqualTo(Duration.ofDays(15));
    assertThat(s.alerts().receivers()).isEmpty();
    assertThat(s.alerts().connectionsPercent()).isEqualTo(80);
    assertThat(s.alerts().replicationLag()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.alerts().groupWait()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void every_receiver_type_is_read_and_pagerduty_defaults_to_events_v2() {
    AlertsSpec a =
        parse(
                "alerts:\n  receivers:\n"
                    + "    - {name: ops, slack: https://hooks.slack.com/services/T/B/secret}\n"
                    + "    - {name: chat, discord: https://discord.com/api/webhooks/1/x}\n"
                    + "    - {name: hook, webhook: http://127.0.0.1:9000/in}\n"
                    + "    - {name: pager, pagerduty: {routing_key: k3y}}\n")
            .alerts();
    assertThat(a.receivers())
        .extracting(Receiver::type)
        .containsExactly("slack", "discord", "webhook", "pagerduty");
    Receiver pager = a.receiver("pager").orElseThrow();
    assertThat(pager.url()).isEqualTo(Receiver.PAGERDUTY_EVENTS_V2);
    assertThat(pager.routingKey()).isEqualTo(Optional.of("k3y"));
    assertThat(a.receiver("ops").orElseThrow().toString())
        .isEqualTo("ops (slack https://hooks.slack.com/<masked>)")
        .doesNotContain("secret");
  }

  @Test
  void a_receiver_with_two_targets_is_refused_at_its_key() {
    assertThatThrownBy(
            () ->
                parse(
                    "alerts:\n  receivers:\n"
                        + "    - {name: ops, slack: https://a.example/x, webhook: https://b.example}\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("strata.yaml:3")
        .hasMessageContaining("alerts.receivers")
        .hasMessageContaining("exactly one of [slack, discord, webhook, pagerduty]");
  }

  @Test
  void a_pagerduty_receiver_without_routing_key_and_a_bad_url_are_refused() {
    assertThatThrownBy(
            () ->
                parse(
                    "alerts:\n  receivers:\n    - {name: p, pagerduty: {url: https://x.example}}\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("routing_key");
    assertThatThrownBy(
            () -> parse("alerts:\n  receivers:\n    - {name: s, slack: hooks.slack.com}\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("is not an http:// or https:// URL");
    assertThatThrownBy(
            () ->
                parse(
                    "alerts:\n  receivers:\n    - {name: s, slack: https://a.example}\n"
                        + "    - {name: s, webhook: https://b.example}\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("used twice");
  }
}
