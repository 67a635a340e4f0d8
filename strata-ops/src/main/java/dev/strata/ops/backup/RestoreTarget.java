package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a restore stops: the end of the archived WAL ({@code latest}), a time, an LSN or a named
 * restore point.
 *
 * @param kind latest, time, lsn or name
 * @param value the target as given (a time normalized to UTC)
 * @param time the time, for a time target
 */
public record RestoreTarget(Kind kind, String value, Optional<Instant> time) {
  private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,63}");
  private static final DateTimeFormatter PG_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'");

  /** The kinds of target. */
  public enum Kind {
    LATEST,
    TIME,
    LSN,
    NAME
  }

  public static RestoreTarget latest() {
    return new RestoreTarget(Kind.LATEST, "latest", Optional.empty());
  }

  public static RestoreTarget name(String name) {
    return new RestoreTarget(Kind.NAME, name, Optional.empty());
  }

  public static RestoreTarget time(Instant t) {
    return new RestoreTarget(Kind.TIME, t.toString(), Optional.of(t));
  }

  /**
   * Reads {@code --to}: {@code latest}, an ISO-8601 time ({@code 2026-12-02T05:01:02.123Z}, or with
   * a space and an offset; no offset is UTC), an LSN ({@code 0/3000060}) or a restore point's name.
   */
  public static RestoreTarget parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("latest")) {
      return latest();
    }
    if (LSN.matcher(t).matches()) {
      return new RestoreTarget(Kind.LSN, t, Optional.empty());
    }
    if (Character.isDigit(t.isEmpty() ? 'x' : t.charAt(0)) && t.length() >= 10) {
      Optional<Instant> time = parseTime(t);
      if (time.isPresent()) {
        return time(time.get());
      }
      if (t.matches("\\d{4}-\\d\\d-\\d\\d.*")) {
        throw StrataException.badInput(
            "'" + text + "' is not a time Strata reads",
            "write it as ISO-8601, e.g. 2026-12-02T05:01:02.123Z (no offset means UTC)");
      }
    }
    if (!NAME.matcher(t).matches()) {
      throw StrataException.badInput(
          "'" + text + "' is neither latest, a time, an LSN nor a restore point's name",
          "use --to latest, --to 2026-12-02T05:01:02Z, --to 0/3000060 or --to NAME");
    }
    return name(t);
  }

  private static Optional<Instant> parseTime(String t) {
    String iso = t.replace(' ', 'T');
    for (var parser :
        List.<java.util.function.Function<String, Instant>>of(
            s -> Instant.parse(s),
            s -> OffsetDateTime.parse(s).toInstant(),
            s -> OffsetDateTime.parse(s + ":00").toInstant(),
            s -> LocalDateTime.parse(s).toInstant(ZoneOffset.UTC))) {
      try {
        return Optional.of(parser.apply(iso));
      } catch (DateTimeParseException e) {
        // try the next form
      }
    }
    return Optional.empty();
  }

  /** pgBackRest's options for this target. */
  List<String> options() {
    return switch (kind) {
      case LATEST -> List.of("--type=default");
      case TIME ->
          List.of(
              "--type=time",
              "--target=" + PG_TIME.format(time.orElseThrow().atOffset(ZoneOffset.UTC)),
              "--target-action=promote");
      case LSN -> List.of("--type=lsn", "--target=" + value, "--target-action=promote");
      case NAME -> List.of("--type=name", "--target=" + value, "--target-action=promote");
    };
  }

  @Override
  public String toString() {
    return kind == Kind.LATEST ? "latest" : kind.name().toLowerCase() + " " + value;
  }
}
