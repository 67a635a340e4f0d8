package dev.strata.core.spec;

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

  /** Reads one value of strata.yaml, or says why it is not allowed. */
  @FunctionalInterface
  interface Reader<T> {
    T read(Value value) throws BadValue;
  }

  /** A type from its parts. */
  static <T> Type<T> of(String allowed, Reader<T> reader, Function<T, String> renderer) {
    return new Type<>() {
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
