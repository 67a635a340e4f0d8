package dev.strata.ops.pgbouncer;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PgBouncer release number, as {@code pgbouncer --version} prints it ({@code PgBouncer 1.24.1}).
 *
 * @param text the number as printed, e.g. {@code 1.24.1}
 */
public record PgBouncerVersion(int major, int minor, int patch, String text)
    implements Comparable<PgBouncerVersion> {
  private static final Pattern NUMBER = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  /** The first release that keeps protocol-level prepared statements in transaction mode. */
  public static final PgBouncerVersion PREPARED_STATEMENTS =
      new PgBouncerVersion(1, 21, 0, "1.21.0");

  /** The first version number in {@code text} (a bare number or {@code --version}'s output). */
  public static Optional<PgBouncerVersion> parse(String text) {
    Matcher m = NUMBER.matcher(text == null ? "" : text);
    if (!m.find()) {
      return Optional.empty();
    }
    int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return Optional.of(
        new PgBouncerVersion(
            Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch, m.group()));
  }

  /** Whether {@code max_prepared_statements} exists: 1.21 and later. */
  public boolean keepsPreparedStatements() {
    return compareTo(PREPARED_STATEMENTS) >= 0;
  }

  @Override
  public int compareTo(PgBouncerVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(patch, o.patch);
  }

  @Override
  public String toString() {
    return text;
  }
}
