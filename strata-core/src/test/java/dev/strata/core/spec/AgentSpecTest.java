package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class AgentSpecTest {
  private static StrataSpec parse(String yaml) {
    return SpecLoader.parse(yaml, "strata.yaml", Map.<String, String>of()::get);
  }

  private static String failure(String yaml) {
    try {
      parse(yaml);
    } catch (SpecException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a SpecException for:\n" + yaml);
  }

  @Test
  void defaults_run_the_agent_with_nightly_backups_and_a_sunday_drill() {
    StrataSpec spec = parse("");
    assertThat(spec.agent().enabled()).isTrue();
    assertThat(spec.agent().maintenanceWindow()).hasToString("sun 02:00-04:00");
    assertThat(spec.backup().schedule().byKind()).containsOnlyKeys("full", "diff", "drill");
  }

  @Test
  void schedules_and_window_are_read() {
    StrataSpec spec =
        parse(
            "backup:\n  schedule:\n    full: \"0 3 * * sat\"\n    diff: off\n    redis: \"@hourly\"\n"
                + "agent:\n  maintenance_window: daily 01:00-02:00\n  heartbeat: 0\n");
    assertThat(spec.backup().schedule().byKind()).containsOnlyKeys("full", "redis");
    assertThat(spec.backup().schedule().full().orElseThrow()).hasToString("0 3 * * sat");
    assertThat(spec.agent().heartbeat()).isEqualTo(Duration.ZERO);
  }

  @Test
  void a_bad_cron_names_the_key_and_the_field() {
    assertThat(failure("backup:\n  schedule:\n    full: \"0 25 * * *\"\n"))
        .contains("backup.schedule.full")
        .contains("the hour field '25' is wrong: 25 is out of range 0-23");
    assertThat(failure("backup:\n  schedule:\n    weekly: \"@daily\"\n"))
        .contains("backup.schedule.weekly")
        .contains("allowed are full, diff, incr, drill, redis");
  }

  @Test
  void a_bad_window_says_what_is_allowed() {
    assertThat(failure("agent:\n  maintenance_window: sundays\n"))
        .contains("strata.yaml:2:")
        .contains("agent.maintenance_window")
        .contains("'sun 02:00-04:00'");
  }
}
