package dev.strata.core.schedule;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When maintenance may run: days and a time range, {@code sun 02:00-04:00}, {@code mon-fri
 * 01:00-03:30}, {@code daily 22:00-02:00} (a range past midnight belongs to the day it starts on),
 * or {@code always}. Times are the machine's local time, as cron's are.
 */
public final class MaintenanceWindow {
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  private static final Pattern FORM =
      Pattern.compile(
          "(daily|[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\\s+(\\d{1,2}:\\d{2})-(\\d{1,2}:\\d{2})");

  private final String text;
  private final Set<DayOfWeek> days;
  private final LocalTime from;
  private final LocalTime to;
  private final boolean always;

  private MaintenanceWindow(
      String text, Set<DayOfWeek> days, LocalTime from, LocalTime to, boolean always) {
    this.text = text;
    this.days = days;
    this.from = from;
    this.to = to;
    this.always = always;
  }

  /**
   * Reads a window.
   *
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  public static MaintenanceWindow parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("always")) {
      return new MaintenanceWindow(
          t, EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, true);
    }
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a maintenance window: expected days and a time range such as"
              + " 'sun 02:00-04:00', 'mon-fri 01:00-03:00', 'daily 22:00-02:00', or 'always'");
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    if (m.group(1).equals("daily")) {
      days.addAll(EnumSet.allOf(DayOfWeek.class));
    } else {
      for (String part : m.group(1).split(",")) {
        String[] ends = part.split("-");
        int a = day(ends[0], text);
        int b = ends.length > 1 ? day(ends[1], text) : a;
        for (int i = a; ; i = (i + 1) % 7) {
          days.add(DayOfWeek.of(i + 1));
          if (i == b) {
            break;
          }
        }
      }
    }
    LocalTime from = time(m.group(2), text);
    LocalTime to = time(m.group(3), text);
    if (from.equals(to)) {
      throw new IllegalArgumentException(
          "'" + text + "' is an empty maintenance window: give it a start and a different end");
    }
    return new MaintenanceWindow(t, days, from, to, false);
  }

  private static int day(String d, String text) {
    int i = DAYS.indexOf(d);
    if (i < 0) {
      throw new IllegalArgumentException(
          "'"
              + d
              + "' in '"
              + text
              + "' is not a day: use "
              + String.join(", ", DAYS)
              + " or daily");
    }
    return i;
  }

  private static LocalTime time(String s, String text) {
    try {
      return LocalTime.parse(s.length() == 4 ? "0" + s : s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + s + "' in '" + text + "' is not a time HH:MM");
    }
  }

  /** Whether {@code t} falls inside the window. */
  public boolean contains(ZonedDateTime t) {
    if (always) {
      return true;
    }
    LocalTime time = t.toLocalTime();
    if (from.isBefore(to)) {
      return days.contains(t.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
    }
    // Past midnight: the evening part on a listed day, or the morning after one.
    return (days.contains(t.getDayOfWeek()) && !time.isBefore(from))
        || (days.contains(t.getDayOfWeek().minus(1)) && time.isBefore(to));
  }

  /** The next time at or after {@code t} inside the window. */
  public ZonedDateTime nextOpening(ZonedDateTime t) {
    if (contains(t)) {
      return t;
    }
    ZonedDateTime day = t.truncatedTo(ChronoUnit.DAYS);
    for (int i = 0; i <= 8; i++) {
      ZonedDateTime start = day.plusDays(i).with(from);
      if (!start.isBefore(t) && days.contains(start.getDayOfWeek())) {
        return start;
      }
    }
    return t.plus(Duration.ofDays(7)); // unreachable: every window opens within a week
  }

  /** Two are equal when written alike. */
  @Override
  public boolean equals(Object o) {
    return o instanceof MaintenanceWindow other && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
