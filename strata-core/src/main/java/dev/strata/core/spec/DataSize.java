package dev.strata.core.spec;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An amount of memory, written {@code 512kb}, {@code 256mb}, {@code 2gb} or in bytes. */
public record DataSize(long bytes) implements Comparable<DataSize> {
  private static final Pattern FORMAT =
      Pattern.compile("(\\d+)\\s*(b|kb|mb|gb|tb)?", Pattern.CASE_INSENSITIVE);
  private static final long KB = 1024;

  public DataSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("a size must not be negative, was " + bytes);
    }
  }

  public static DataSize ofMegabytes(long mb) {
    return new DataSize(mb * KB * KB);
  }

  /**
   * Parses {@code 256mb} and the like.
   *
   * @throws IllegalArgumentException when the text is not a size
   */
  public static DataSize parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size: " + text);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor =
        switch (unit) {
          case "kb" -> KB;
          case "mb" -> KB * KB;
          case "gb" -> KB * KB * KB;
          case "tb" -> KB * KB * KB * KB;
          default -> 1;
        };
    return new DataSize(Math.multiplyExact(n, factor));
  }

  public long megabytes() {
    return bytes / (KB * KB);
  }

  public DataSize times(double factor) {
    return new DataSize((long) (bytes * factor));
  }

  public DataSize min(DataSize other) {
    return compareTo(other) <= 0 ? this : other;
  }

  public DataSize max(DataSize other) {
    return compareTo(other) >= 0 ? this : other;
  }

  @Override
  public int compareTo(DataSize o) {
    return Long.compare(bytes, o.bytes);
  }

  /** The largest whole unit: {@code 2gb}, {@code 256mb}, {@code 512kb}, {@code 100b}. */
  @Override
  public String toString() {
    String[] units = {"tb", "gb", "mb", "kb"};
    long[] sizes = {KB * KB * KB * KB, KB * KB * KB, KB * KB, KB};
    for (int i = 0; i < units.length; i++) {
      if (bytes >= sizes[i] && bytes % sizes[i] == 0) {
        return bytes / sizes[i] + units[i];
      }
    }
    return bytes + "b";
  }
}
