package dev.strata.core.spec;

/**
 * Thrown by a {@link Type} for a value it does not accept; the loader adds key path and location.
 */
public final class BadValue extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Value value;

  public BadValue(Value value, String problem) {
    super(problem);
    this.value = value;
  }

  /** The offending value (possibly an item inside a list), for its location. */
  public Value value() {
    return value;
  }
}
