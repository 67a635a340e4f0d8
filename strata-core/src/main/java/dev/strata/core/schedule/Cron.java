package dev.strata.core.schedule;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A cron expression as crontab(5) writes it — {@code minute hour day-of-month month day-of-week},
 * each a {@code *}, a number, a range {@code a-b}, a list {@code a,b}, a step {@code * /n} or
 * {@code a-b/n}, with month and day names ({@code jan}, {@code mon}) — or with a sixth, leading
 * seconds field ({@code *&#47;5 * * * * *}, as Spring and Quartz write it), or a macro: {@code
 * @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly}, {@code @yearly}. As in cron, when
 * both day fields are restricted a time matches either. Small on purpose: the agent needs the next
 * run of a schedule and nothing else, so a library would not earn its place.
 */
public final class Cron {
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

  private final String text;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean anyDayOfMonth;
  private final boolean anyDayOfWeek;

  private Cron(String text, String[] f) {
    this.text = text;
    this.seconds = field(f[0], 0, 59, List.of(), "second");
    this.minutes = field(f[1], 0, 59, List.of(), "minute");
    this.hours = field(f[2], 0, 23, List.of(), "hour");
    this.daysOfMonth = field(f[3], 1, 31, List.of(), "day of month");
    this.months = field(f[4], 1, 12, MONTHS, "month");
    BitSet dow = field(f[5], 0, 7, DAYS, "day of week");
    if (dow.get(7)) {
      dow.set(0); // 7 is Sunday too
    }
    this.daysOfWeek = dow;
    this.anyDayOfMonth = f[3].equals("*") || f[3].equals("?");
    this.anyDayOfWeek = f[5].equals("*") || f[5].equals("?");
  }

  /**
   * Reads a cron expression.
   *
   * @throws IllegalArgumentException naming the field that is wrong and what it allows
   */
  public static Cron parse(String expression) {
    String text = expression == null ? "" : expression.trim().toLowerCase(Locale.ROOT);
    String expanded =
        switch (text) {
          case "@hourly" -> "0 * * * *";
          case "@daily", "@midnight" -> "0 0 * * *";
          case "@weekly" -> "0 0 * * 0";
          case "@monthly" -> "0 0 1 * *";
          case "@yearly", "@annually" -> "0 0 1 1 *";
          default -> text;
        };
    String[] parts = expanded.isEmpty() ? new String[0] : expanded.split("\\s+");
    if (parts.length == 5) {
      String[] withSeconds = new String[6];
      withSeconds[0] = "0";
      System.arraycopy(parts, 0, withSeconds, 1, 5);
      parts = withSeconds;
    } else if (parts.length != 6) {
      throw new IllegalArgumentException(
          "'"
              + expression
              + "' is not a cron expression: expected 5 fields (minute hour day-of-month month"
              + " day-of-week, e.g. '0 2 * * sun'), 6 with leading seconds, or @daily and the"
              + " like");
    }
    return new Cron(expression.trim(), parts);
  }

  /** Whether {@code expression} is valid; the message of the problem when not. */
  public static Optional<String> problem(String expression) {
    try {
      parse(expression);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The first time strictly after {@code after} that matches, to the second. */
  public ZonedDateTime next(ZonedDateTime after) {
    ZonedDateTime t = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    ZonedDateTime limit = after.plusYears(5);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
      } else if (!seconds.get(t.getSecond())) {
        t = t.plusSeconds(1);
      } else {
        return t;
      }
    }
    throw new IllegalStateException("'" + text + "' matches no time in the next five years");
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow =
        daysOfWeek.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
    if (anyDayOfMonth && anyDayOfWeek) {
      return true;
    }
    if (anyDayOfMonth) {
      return dow;
    }
    if (anyDayOfWeek) {
      return dom;
    }
    return dom || dow;
  }

  private static BitSet field(String f, int min, int max, List<String> names, String what) {
    BitSet bits = new BitSet(max + 1);
    for (String part : f.split(",", -1)) {
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        step = number(part.substring(slash + 1), 1, max, List.of(), what, f);
        range = part.substring(0, slash);
      }
      int from;
      int to;
      if (range.equals("*") || range.equals("?")) {
        from = min;
        to = max;
      } else if (range.indexOf('-', 1) > 0) {
        int dash = range.indexOf('-', 1);
        from = number(range.substring(0, dash), min, max, names, what, f);
        to = number(range.substring(dash + 1), min, max, names, what, f);
        if (to < from) {
          throw bad(f, what, "the range " + range + " runs backwards");
        }
      } else {
        from = number(range, min, max, names, what, f);
        to = slash >= 0 ? max : from;
      }
      for (int i = from; i <= to; i += step) {
        bits.set(i);
      }
    }
    return bits;
  }

  private static int number(
      String s, int min, int max, List<String> names, String what, String field) {
    int named = names.indexOf(s);
    if (named >= 0) {
      return named + (names == MONTHS ? 1 : 0);
    }
    try {
      int n = Integer.parseInt(s);
      if (n < min || n > max) {
        throw bad(field, what, n + " is out of range " + min + "-" + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw bad(
          field,
          what,
          "'"
              + s
              + "' is not a number"
              + (names.isEmpty() ? "" : " or a name (" + String.join(", ", names) + ")"));
    }
  }

  private static IllegalArgumentException bad(String field, String what, String why) {
    return new IllegalArgumentException("the " + what + " field '" + field + "' is wrong: " + why);
  }

  /** Two are equal when written alike. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Cron other && text.equals(other.text);
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
