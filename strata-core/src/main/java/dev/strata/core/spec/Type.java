package dev.strata.core.spec;

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
}
