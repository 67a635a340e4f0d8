package dev.strata.core.spec;

import java.util.Map;
import java.util.function.Function;

/**
 * How a value in strata.yaml becomes a Java value, what is allowed, and how a value is written back
 * (for {@code strata init}).
 */
public interface Type<T> {
  /**
   * Reads a value.
   *
   * @throws BadValue when the value is not allowed; its message says what was found
   */
  T read(Value value) throws BadValue;

  /** What is allowed, for messages and docs: {@code "a port from 0 to 65535"}. */
  String allowed();

  /** The value as YAML text. */
  String render(T value);

  /**
   * The JSON Schema (draft-07) of what {@link #read} accepts, for editors. It may accept a little
   * more than {@code read} (the loader has the last word) but never less, or an editor would flag a
   * valid strata.yaml. The default is any string.
   */
  default Map<String, Object> schema() {
    return Json.obj("type", "string");
  }

  /** Reads one value of strata.yaml, or says why it is not allowed. */
  @FunctionalInterface
  interface Reader<T> {
    T read(Value value) throws BadValue;
  }

  /** A type from its parts; its schema is any string. */
  static <T> Type<T> of(String allowed, Reader<T> reader, Function<T, String> renderer) {
    return of(allowed, reader, renderer, Json.obj("type", "string"));
  }

  /** A type from its parts, with the JSON Schema of what it accepts. */
  static <T> Type<T> of(
      String allowed, Reader<T> reader, Function<T, String> renderer, Map<String, Object> schema) {
    return new Type<>() {
      @Override
      public Map<String, Object> schema() {
        return schema;
      }

      @Override
      public T read(Value value) throws BadValue {
        return reader.read(value);
      }

      @Override
      public String allowed() {
        return allowed;
      }

      @Override
      public String render(T value) {
        return renderer.apply(value);
      }
    };
  }
}
