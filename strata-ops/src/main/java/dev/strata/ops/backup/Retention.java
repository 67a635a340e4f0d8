package dev.strata.ops.backup;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which full backups a grandfather-father-son policy keeps (seed 001: daily 30, weekly 12, monthly
 * 12, pre-migration backups kept), which pgBackRest's count-based retention cannot say: the newest
 * {@code count} full backups, the newest full backup of each of the last {@code daily} days (UTC),
 * of each of the last {@code weekly} ISO weeks and of each of the last {@code monthly} months, and
 * every pinned one. Differential and incremental backups go with the full backup they build on.
 *
 * @param count full backups always kept, newest first (backup.retention_full)
 */
public record Retention(
    int count,
    Optional<Integer> daily,
    Optional<Integer> weekly,
    Optional<Integer> monthly,
    Set<String> pinned) {

  /**
   * The labels of the full backups to keep.
   *
   * @param fulls the full backups, any order
   * @param now the time the periods are counted back from
   */
  public Set<String> keep(List<BackupSet> fulls, Instant now) {
    List<BackupSet> newestFirst = new ArrayList<>(fulls);
    newestFirst.sort((a, b) -> b.start().compareTo(a.start()));
    Set<String> keep = new LinkedHashSet<>();
    newestFirst.stream().limit(count).forEach(b -> keep.add(b.label()));
    LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
    daily.ifPresent(n -> keep.addAll(newestPer(newestFirst, d -> d, today, ChronoUnit.DAYS, n)));
    weekly.ifPresent(
        n ->
            keep.addAll(
                newestPer(
                    newestFirst, Retention::weekStart, weekStart(today), ChronoUnit.WEEKS, n)));
    monthly.ifPresent(
        n ->
            keep.addAll(
                newestPer(
                    newestFirst,
                    d -> d.withDayOfMonth(1),
                    today.withDayOfMonth(1),
                    ChronoUnit.MONTHS,
                    n)));
    for (BackupSet b : newestFirst) {
      if (pinned.contains(b.label())) {
        keep.add(b.label());
      }
    }
    return keep;
  }

  /**
   * How many of the newest kept full backups keep the WAL after them, so that a point-in-time
   * restore reaches any moment since the oldest of them: those of the daily window ({@code daily}
   * days back, UTC), and at least {@code count}. An older kept backup (weekly, monthly, pinned)
   * keeps only the WAL that makes it consistent, so it restores to the time it ended: without this,
   * the WAL from the oldest monthly backup on would be kept, a year of it under seed 001's policy.
   * pgBackRest's {@code repo1-retention-archive} with {@code -type=full}.
   *
   * @param kept the full backups {@link #keep} keeps
   */
  public int continuousWal(List<BackupSet> kept, Instant now) {
    LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
    long inWindow =
        daily
            .map(
                n ->
                    kept.stream()
                        .filter(
                            b ->
                                ChronoUnit.DAYS.between(
                                        b.start().atZone(ZoneOffset.UTC).toLocalDate(), today)
                                    < n)
                        .count())
            .orElse(0L);
    return (int) Math.max(Math.max(count, inWindow), 1);
  }

  /** The newest backup of each period among the {@code n} periods up to {@code current}. */
  private static List<String> newestPer(
      List<BackupSet> newestFirst,
      Function<LocalDate, LocalDate> period,
      LocalDate current,
      ChronoUnit unit,
      int n) {
    Map<LocalDate, String> newest = new HashMap<>();
    for (BackupSet b : newestFirst) {
      LocalDate p = period.apply(b.start().atZone(ZoneOffset.UTC).toLocalDate());
      long back = unit.between(p, current);
      if (back >= 0 && back < n) {
        newest.putIfAbsent(p, b.label());
      }
    }
    return List.copyOf(newest.values());
  }

  /** The Monday of {@code d}'s ISO week. */
  private static LocalDate weekStart(LocalDate d) {
    return d.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR))
        .with(java.time.DayOfWeek.MONDAY);
  }
}
