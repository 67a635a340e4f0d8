package dev.strata.core.spec;

/** Where something stands in strata.yaml: a file name and a 1-based line and column. */
public record Location(String file, int line, int column) {

  /** For values that come from defaults rather than from the file. */
  public static Location defaults(String file) {
    return new Location(file, 0, 0);
  }

  @Override
  public String toString() {
    return line == 0 ? file : file + ":" + line + ":" + column;
  }
}
