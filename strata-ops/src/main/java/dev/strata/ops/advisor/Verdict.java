package dev.strata.ops.advisor;

/** How a check judged what it measured; ordered from good to bad. */
public enum Verdict {
  OK,
  WARN,
  CRITICAL;

  /** The worse of the two. */
  public Verdict worst(Verdict other) {
    return other.compareTo(this) > 0 ? other : this;
  }

  /** {@code ok}, {@code warn} or {@code critical}, as the report prints it. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
