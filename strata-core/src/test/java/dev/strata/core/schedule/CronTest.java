package dev.strata.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

final class CronTest {
  private static final ZonedDateTime WED_1030 =
      ZonedDateTime.of(2026, 12, 2, 10, 30, 0, 0, ZoneOffset.UTC); // a Wednesday

  private static ZonedDateTime next(String cron) {
    return Cron.parse(cron).next(WED_1030);
  }

  @Test
  void five_fields_run_on_the_minute() {
    assertThat(next("*/15 * * * *")).isEqualTo(WED_1030.withMinute(45));
    assertThat(next("0 2 * * *")).isEqualTo(WED_1030.plusDays(1).withHour(2).withMinute(0));
  }

  @Test
  void day_names_and_ranges() {
    // Sunday 6 Dec 2026 at 01:00.
    assertThat(next("0 1 * * sun"))
        .isEqualTo(ZonedDateTime.of(2026, 12, 6, 1, 0, 0, 0, ZoneOffset.UTC));
    assertThat(next("0 1 * * 7")).isEqualTo(next("0 1 * * sun"));
    // mon-sat from Wednesday 10:30: Thursday 01:00.
    assertThat(next("0 1 * * mon-sat"))
        .isEqualTo(ZonedDateTime.of(2026, 12, 3, 1, 0, 0, 0, ZoneOffset.UTC));
    assertThat(next("0 0 1 jan *"))
        .isEqualTo(ZonedDateTime.of(2027, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
  }

  @Test
  void six_fields_have_seconds_first() {
    assertThat(next("*/3 * * * * *")).isEqualTo(WED_1030.withSecond(3));
    assertThat(Cron.parse("*/3 * * * * *").next(WED_1030.withSecond(58)))
        .isEqualTo(WED_1030.withMinute(31).withSecond(0));
  }

  @Test
  void either_day_field_matches_when_both_are_set() {
    // The 1st of the month or a Friday: Friday 4 Dec comes first.
    assertThat(next("0 0 1 * fri"))
        .isEqualTo(ZonedDateTime.of(2026, 12, 4, 0, 0, 0, 0, ZoneOffset.UTC));
  }

  @Test
  void macros() {
    assertThat(next("@daily")).isEqualTo(WED_1030.plusDays(1).withHour(0).withMinute(0));
    assertThat(next("@hourly")).isEqualTo(WED_1030.withHour(11).withMinute(0));
  }

  @Test
  void a_bad_field_is_named() {
    assertThatThrownBy(() -> Cron.parse("0 25 * * *"))
        .hasMessage("the hour field '25' is wrong: 25 is out of range 0-23");
    assertThatThrownBy(() -> Cron.parse("0 1 * * funday"))
        .hasMessageContaining(
            "the day of week field 'funday' is wrong: 'funday' is not a number or a name (sun, mon");
    assertThatThrownBy(() -> Cron.parse("0 1 * *")).hasMessageContaining("expected 5 fields");
    assertThatThrownBy(() -> Cron.parse("0 5-2 * * *")).hasMessageContaining("runs backwards");
  }
}
