package dev.strata.core.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The value types strata.yaml keys are declared with. */
public final class Types {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|min|h)?");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern EXTENSION = Pattern.compile("[a-z_][a-z0-9_-]{0,62}");

  private Types() {}

  /** A whole number from {@code min} to {@code max}. */
  public static Type<Integer> integer(int min, int max) {
    return integer(min, max, "an integer from " + min + " to " + max);
  }

  /** A TCP port; 0 means "pick a free port and remember it". */
  public static Type<Integer> port() {
    return integer(0, 65535, "a port from 0 to 65535 (0 picks a free port)");
  }

  private static Type<Integer> integer(int min, int max, String allowed) {
    return Type.of(
        allowed,
        value -> {
          String text = scalar(value, allowed);
          int n;
          try {
            n = Integer.parseInt(text.trim());
          } catch (NumberFormatException e) {
            throw new BadValue(value, "'" + text + "' is not " + allowed);
          }
          if (n < min || n > max) {
            throw new BadValue(value, n + " is out of range: expected " + allowed);
          }
          return n;
        },
        value -> value.toString(),
        // A quoted number ("5432") is read like a plain one, so the schema takes it too.
        interpolable(
            Json.obj(
                "anyOf",
                List.of(
                    Json.obj("type", "integer", "minimum", min, "maximum", max),
                    Json.obj("type", "string", "pattern", "^\\s*\\d+\\s*$")))));
  }

  /** {@code true} or {@code false}. */
  public static Type<Boolean> bool() {
    String allowed = "true or false";
    return Type.of(
        allowed,
        value -> {
          String text = scalar(value, allowed);
          return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadValue(value, "'" + text + "' is not " + allowed);
          };
        },
        Object::toString,
        interpolable(
            Json.obj(
                "anyOf",
                List.of(
                    Json.obj("type", "boolean"),
                    Json.obj(
                        "type",
                        "string",
                        "pattern",
                        "^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*$")))));
  }

  /** Any text; {@code allowed} describes it for messages. */
  public static Type<String> string(String allowed) {
    return Type.of(allowed, value -> scalar(value, allowed), value -> quoteIfNeeded(value));
  }

  /** One of a fixed set of words. */
  public static Type<String> oneOf(String... choices) {
    List<String> allowedValues = List.of(choices);
    String allowed = "one of " + String.join(", ", allowedValues);
    return Type.of(
        allowed,
        value -> {
          String text = scalar(value, allowed);
          if (!allowedValues.contains(text)) {
            throw new BadValue(value, "'" + text + "' is not " + allowed);
          }
          return text;
        },
        value -> value,
        interpolable(Json.obj("type", "string", "enum", allowedValues)));
  }

  /** A PostgreSQL identifier as Strata creates them: lower case, digits, underscore, ≤ 63. */
  public static Type<String> identifier() {
    return name(
        IDENTIFIER, "a lower-case SQL name (a-z, 0-9, _; not starting with a digit; at most 63)");
  }

  /**
   * An extension's name as its control file has it: an identifier that may also hold {@code -}
   * ({@code uuid-ossp}); Strata quotes it in {@code CREATE EXTENSION}.
   */
  public static Type<String> extensionName() {
    return name(
        EXTENSION,
        "an extension name (a-z, 0-9, _ and -, as uuid-ossp; not starting with a digit; at most"
            + " 63)");
  }

  private static Type<String> name(Pattern pattern, String allowed) {
    return Type.of(
        allowed,
        value -> {
          String text = scalar(value, allowed);
          if (!pattern.matcher(text).matches()) {
            throw new BadValue(value, "'" + text + "' is not " + allowed);
          }
          return text;
        },
        value -> value,
        interpolable(Json.obj("type", "string", "pattern", "^" + pattern.pattern() + "$")));
  }

  /** An amount of memory such as {@code 256mb}, at least {@code min}. */
  public static Type<DataSize> size(DataSize min) {
    String allowed = "a size such as 256mb or 2gb, at least " + min;
    return Type.of(
        allowed,
        value -> {
          String text = scalar(value, allowed);
          DataSize size;
          try {
            size = DataSize.parse(text);
          } catch (IllegalArgumentException | ArithmeticException e) {
            throw new BadValue(value, "'" + text + "' is not " + allowed);
          }
          if (size.compareTo(min) < 0) {
            throw new BadValue(value, text + " is too small: expected " + allowed);
          }
          return size;
        },
        value -> value.toString(),
        interpolable(
            Json.obj(
                "type",
                List.of("string", "integer"),
                "pattern",
                "^\\s*\\d+\\s*([bB]|[kKmMgGtT][bB])?\\s*$")));
  }

  /** {@code auto} (empty) or a value of {@code type}. */
  public static <T> Type<Optional<T>> autoOr(Type<T> type) {
    return new Type<>() {
      @Override
      public Optional<T> read(Value value) throws BadValue {
        if (value instanceof Value.Scalar s && "auto".equals(s.text())) {
          return Optional.empty();
        }
        return Optional.of(type.read(value));
      }

      @Override
      public String allowed() {
        return "auto or " + type.allowed();
      }

      @Override
      public String render(Optional<T> value) {
        return value.map(type::render).orElse("auto");
      }

      @Override
      public Map<String, Object> schema() {
        return Json.obj(
            "anyOf", List.of(Json.obj("type", "string", "enum", List.of("auto")), type.schema()));
      }
    };
  }

  /** A list of values of {@code item}, written {@code [a, b]} or one {@code - a} per line. */
  public static <T> Type<List<T>> listOf(Type<T> item) {
    return new Type<>() {
      @Override
      public List<T> read(Value value) throws BadValue {
        if (!(value instanceof Value.Sequence seq)) {
          throw new BadValue(
              value, "expected a list of " + item.allowed() + ", found '" + value.text() + "'");
        }
        List<T> items = new ArrayList<>();
        for (Value v : seq.items()) {
          items.add(item.read(v));
        }
        return Collections.unmodifiableList(items);
      }

      @Override
      public String allowed() {
        return "a list of " + item.allowed();
      }

      @Override
      public String render(List<T> value) {
        return value.stream().map(item::render).collect(Collectors.joining(", ", "[", "]"));
      }

      @Override
      public Map<String, Object> schema() {
        return Json.obj("type", "array", "items", item.schema());
      }
    };
  }

  /** A mapping from names to values of {@code item}, in file order. */
  public static <T> Type<Map<String, T>> mapOf(Type<T> item) {
    return new Type<>() {
      @Override
      public Map<String, T> read(Value value) throws BadValue {
        if (!(value instanceof Value.Mapping map)) {
          throw new BadValue(
              value, "expected a mapping of name: value, found '" + value.text() + "'");
        }
        Map<String, T> result = new LinkedHashMap<>();
        Map<String, Location> seen = new LinkedHashMap<>();
        for (Value.Entry e : map.entries()) {
          Location first = seen.putIfAbsent(e.key(), e.keyLocation());
          if (first != null) {
            throw new BadValue(
                new Value.Scalar(e.key(), e.keyLocation()),
                "." + e.key(),
                "set twice (first at " + first + "): keep one");
          }
          result.put(e.key(), item.read(e.value()));
        }
        return Collections.unmodifiableMap(result);
      }

      @Override
      public String allowed() {
        return "a mapping of name: " + item.allowed();
      }

      @Override
      public String render(Map<String, T> value) {
        return value.entrySet().stream()
            .map(e -> e.getKey() + ": " + item.render(e.getValue()))
            .collect(Collectors.joining(", ", "{", "}"));
      }

      @Override
      public Map<String, Object> schema() {
        return Json.obj("type", "object", "additionalProperties", item.schema());
      }
    };
  }

  /**
   * A duration as PostgreSQL writes its timeouts: a whole number with a unit {@code ms}, {@code s},
   * {@code min} or {@code h} ({@code 500ms}, {@code 10s}, {@code 5min}); {@code 0} means no limit.
   */
  public static Type<Duration> duration() {
    String allowed = "a duration such as 500ms, 10s, 5min or 1h (0 for no limit)";
    return Type.of(
        allowed,
        value -> {
          String text = scalar(value, allowed);
          Matcher m = DURATION.matcher(text.trim());
          if (!m.matches()) {
            throw new BadValue(value, "'" + text + "' is not " + allowed);
          }
          long n = Long.parseLong(m.group(1));
          String unit = m.group(2) == null ? "" : m.group(2);
          if (unit.isEmpty() && n != 0) {
            throw new BadValue(value, "'" + text + "' has no unit: expected " + allowed);
          }
          return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ZERO;
          };
        },
        value -> formatDuration(value),
        interpolable(
            Json.obj(
                "type",
                List.of("string", "integer"),
                "pattern",
                "^\\s*(0|\\d{1,9}\\s*(ms|s|min|h))\\s*$",
                "minimum",
                0,
                "maximum",
                0)));
  }

  /** {@code d} in the largest unit of {@link #duration()} that writes it exactly. */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "min";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /**
   * {@code schema}, or a string holding {@code ${VAR}}: the loader expands it before reading, so an
   * editor must not flag {@code port: ${PG_PORT:-5432}}.
   */
  static Map<String, Object> interpolable(Map<String, Object> schema) {
    List<Object> choices = new ArrayList<>();
    if (schema.size() == 1 && schema.get("anyOf") instanceof List<?> alternatives) {
      choices.addAll(alternatives);
    } else {
      choices.add(schema);
    }
    choices.add(Json.obj("type", "string", "pattern", "\\$\\{"));
    return Json.obj("anyOf", choices);
  }

  private static String scalar(Value value, String allowed) throws BadValue {
    if (!(value instanceof Value.Scalar s)) {
      throw new BadValue(value, "expected " + allowed + ", found a " + describe(value));
    }
    if (s.text() == null) {
      throw new BadValue(value, "the value is empty: expected " + allowed);
    }
    return s.text();
  }

  private static String describe(Value value) {
    return value instanceof Value.Sequence ? "list" : "mapping";
  }

  private static String quoteIfNeeded(String value) {
    boolean plain =
        !value.isEmpty()
            && value.matches("[A-Za-z0-9_./{}@-][A-Za-z0-9_./{}@ :-]*")
            && !value.contains(": ");
    return plain ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
