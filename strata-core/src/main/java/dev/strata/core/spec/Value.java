package dev.strata.core.spec;

import java.util.List;

/**
 * A value as written in strata.yaml, with where it stands, before a {@link Type} gives it meaning.
 * Scalars are already interpolated ({@code ${VAR}}).
 */
public sealed interface Value {
  Location location();

  /** What the user wrote, for messages. */
  String text();

  /** A scalar; {@code text} is {@code null} for an empty value ({@code key:} or {@code ~}). */
  record Scalar(String text, Location location) implements Value {}

  /** A sequence ({@code [a, b]} or {@code - a}). */
  record Sequence(List<Value> items, Location location) implements Value {
    @Override
    public String text() {
      return items.stream().map(Value::text).toList().toString();
    }
  }

  /** A mapping, in file order. */
  record Mapping(List<Entry> entries, Location location) implements Value {
    @Override
    public String text() {
      return "a mapping";
    }
  }

  /** One {@code key: value} of a mapping. */
  record Entry(String key, Location keyLocation, Value value) {}
}
