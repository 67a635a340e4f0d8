package dev.strata.core;

import java.util.Objects;

/**
 * The one exception family of Strata. Its message says what happened, with the state that explains
 * it; {@link #fix()} says what to do about it.
 */
public class StrataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String fix;

  public StrataException(ErrorCode code, String message, String fix) {
    this(code, message, fix, null);
  }

  public StrataException(ErrorCode code, String message, String fix, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.fix = fix == null ? "" : fix;
  }

  public static StrataException badInput(String message, String fix) {
    return new StrataException(ErrorCode.BAD_INPUT, message, fix);
  }

  public static StrataException environment(String message, String fix) {
    return new StrataException(ErrorCode.ENVIRONMENT, message, fix);
  }

  public static StrataException failed(String message, String fix, Throwable cause) {
    return new StrataException(ErrorCode.FAILED, message, fix, cause);
  }

  public ErrorCode code() {
    return code;
  }

  /** What the user can do about it; empty when there is nothing to add to the message. */
  public String fix() {
    return fix;
  }

  /** The message and the fix, as the CLI prints them. */
  public String describe() {
    return fix.isEmpty() ? getMessage() : getMessage() + "\n  fix: " + fix;
  }
}
