package dev.strata.core.spec;

/**
 * Thrown by a {@link Type} for a value it does not accept; the loader adds key path and location.
 */
public final class BadValue extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Value value;
  private final String subPath;

  public BadValue(Value value, String problem) {
    this(value, "", problem);
  }

  /**
   * A problem inside the value, e.g. one entry of a mapping.
   *
   * @param subPath what the loader appends to the key path, e.g. {@code .max_connections}
   */
  public BadValue(Value value, String subPath, String problem) {
    super(problem);
    this.value = value;
    this.subPath = subPath;
  }

  /** The offending value (possibly an item inside a list), for its location. */
  public Value value() {
    return value;
  }

  /** What follows the key path in the message: empty, or e.g. {@code .max_connections}. */
  public String subPath() {
    return subPath;
  }
}
