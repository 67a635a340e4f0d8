package dev.strata.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Seed 001's policy (daily 30, weekly 12, monthly 12) over a year of daily full backups. */
final class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

  private static List<BackupSet> daily(int days) {
    List<BackupSet> sets = new ArrayList<>();
    for (int d = 0; d < days; d++) {
      Instant at = NOW.minus(d, ChronoUnit.DAYS).minus(1, ChronoUnit.HOURS);
      sets.add(
          new BackupSet(
              "d" + d, "full", at, at.plusSeconds(60), 1, 1, "", "", Optional.empty(), false));
    }
    return sets;
  }

  @Test
  void seed_001s_gfs_keeps_30_days_then_weeks_then_months() {
    Retention gfs =
        new Retention(2, Optional.of(30), Optional.of(12), Optional.of(12), Set.of("d200"));
    Set<String> keep = gfs.keep(daily(400), NOW);
    for (int d = 0; d < 30; d++) {
      assertThat(keep).contains("d" + d);
    }
    // Past 30 days only one backup a week (the newest of it: Sunday's) and then one a month.
    long weeklyOnly =
        keep.stream()
            .map(l -> Integer.parseInt(l.substring(1)))
            .filter(d -> d >= 30 && d < 84)
            .count();
    assertThat(weeklyOnly).isBetween(6L, 9L);
    assertThat(keep).as("pinned before a migration").contains("d200");
    assertThat(keep).as("older than 12 months").doesNotContain("d399", "d380");
    // 30 daily + 12 weekly + 12 monthly overlap: never more than their sum plus the pin.
    assertThat(keep.size()).isLessThanOrEqualTo(30 + 12 + 12 + 1);
    assertThat(keep.size()).isGreaterThan(40);
  }

  @Test
  void the_wal_stays_continuous_over_the_daily_window_not_back_to_the_oldest_monthly() {
    Retention gfs =
        new Retention(2, Optional.of(30), Optional.of(12), Optional.of(12), Set.of("d200"));
    List<BackupSet> all = daily(400);
    Set<String> keep = gfs.keep(all, NOW);
    List<BackupSet> kept = all.stream().filter(b -> keep.contains(b.label())).toList();
    assertThat(gfs.continuousWal(kept, NOW)).as("the 30 daily backups").isEqualTo(30);
    Retention count =
        new Retention(3, Optional.empty(), Optional.empty(), Optional.empty(), Set.of("d9"));
    assertThat(count.continuousWal(daily(10), NOW)).as("the count, pins aside").isEqualTo(3);
    assertThat(gfs.continuousWal(daily(1), NOW)).as("never fewer than the count").isEqualTo(2);
  }

  @Test
  void without_gfs_only_the_count_and_pins_are_kept() {
    Retention count =
        new Retention(2, Optional.empty(), Optional.empty(), Optional.empty(), Set.of("d9"));
    assertThat(count.keep(daily(10), NOW)).containsExactlyInAnyOrder("d0", "d1", "d9");
  }

  @Test
  void the_newest_backup_of_a_day_is_the_one_kept() {
    Instant early = Instant.parse("2026-11-20T01:00:00Z");
    Instant late = Instant.parse("2026-11-20T23:00:00Z");
    List<BackupSet> sets =
        List.of(
            new BackupSet("early", "full", early, early, 1, 1, "", "", Optional.empty(), false),
            new BackupSet("late", "full", late, late, 1, 1, "", "", Optional.empty(), false));
    Retention gfs = new Retention(0, Optional.of(30), Optional.empty(), Optional.empty(), Set.of());
    assertThat(gfs.keep(sets, NOW)).containsExactly("late");
  }
}
