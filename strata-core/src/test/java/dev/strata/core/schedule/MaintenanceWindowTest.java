package dev.strata.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

final class MaintenanceWindowTest {
  private static ZonedDateTime at(int day, int hour, int minute) {
    return ZonedDateTime.of(2026, 12, day, hour, minute, 0, 0, ZoneOffset.UTC); // 6 Dec: Sunday
  }

  @Test
  void sunday_night() {
    MaintenanceWindow w = MaintenanceWindow.parse("sun 02:00-04:00");
    assertThat(w.contains(at(6, 2, 0))).isTrue();
    assertThat(w.contains(at(6, 3, 59))).isTrue();
    assertThat(w.contains(at(6, 4, 0))).isFalse();
    assertThat(w.contains(at(7, 2, 30))).as("a Monday").isFalse();
    assertThat(w.nextOpening(at(2, 10, 30))).isEqualTo(at(6, 2, 0));
    assertThat(w.nextOpening(at(6, 2, 30))).isEqualTo(at(6, 2, 30));
    assertThat(w.nextOpening(at(6, 5, 0))).isEqualTo(at(13, 2, 0));
  }

  @Test
  void past_midnight_belongs_to_the_day_it_starts() {
    MaintenanceWindow w = MaintenanceWindow.parse("fri 22:00-02:00");
    assertThat(w.contains(at(4, 23, 0))).isTrue();
    assertThat(w.contains(at(5, 1, 0))).as("Saturday morning").isTrue();
    assertThat(w.contains(at(6, 1, 0))).as("Sunday morning").isFalse();
  }

  @Test
  void ranges_lists_daily_and_always() {
    assertThat(MaintenanceWindow.parse("mon-fri 01:00-03:00").contains(at(7, 1, 0))).isTrue();
    assertThat(MaintenanceWindow.parse("mon-fri 01:00-03:00").contains(at(6, 1, 0))).isFalse();
    assertThat(MaintenanceWindow.parse("sat,sun 01:00-03:00").contains(at(5, 2, 0))).isTrue();
    assertThat(MaintenanceWindow.parse("daily 01:00-03:00").contains(at(3, 2, 0))).isTrue();
    assertThat(MaintenanceWindow.parse("always").contains(at(3, 12, 0))).isTrue();
  }

  @Test
  void a_bad_window_says_what_is_allowed() {
    assertThatThrownBy(() -> MaintenanceWindow.parse("sunday 2-4"))
        .hasMessageContaining("expected days and a time range such as 'sun 02:00-04:00'");
    assertThatThrownBy(() -> MaintenanceWindow.parse("sun 02:00-02:00"))
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> MaintenanceWindow.parse("xyz 02:00-03:00"))
        .hasMessageContaining("'xyz'");
  }
}
