package dev.strata.core;

/**
 * What kind of failure a {@link StrataException} reports, and the process exit code the CLI uses
 * for it.
 */
public enum ErrorCode {
  /** Something failed that is neither the user's input nor the machine: exit 1. */
  FAILED(1),
  /** The user's input is wrong (strata.yaml, a flag, an argument): exit 2. */
  BAD_INPUT(2),
  /** The machine is not ready: a missing binary, a taken port, an unwritable directory: exit 3. */
  ENVIRONMENT(3);

  private final int exitCode;

  ErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The exit code the {@code strata} command ends with for this kind of failure. */
  public int exitCode() {
    return exitCode;
  }
}
