package dev.strata.core.spec;

/** Writes a commented strata.yaml with every key at its default, from the key declarations. */
public final class SpecTemplate {
  /**
   * The file {@code strata init} writes the JSON Schema to, beside strata.yaml: editors resolve the
   * modeline's relative path from the YAML file, it works offline, and it can be committed with
   * strata.yaml so a fresh clone completes keys too ({@code .strata/} is neither committed nor kept
   * by {@code strata destroy}).
   */
  public static final String SCHEMA_FILE = "strata.schema.json";

  /** The first line: points yaml-language-server (and editors built on it) at the schema. */
  public static final String MODELINE = "# yaml-language-server: $schema=./" + SCHEMA_FILE;

  private SpecTemplate() {}

  /** The template, its first line {@link #MODELINE}. */
  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append(MODELINE).append('\n');
    out.append("# strata.yaml: the data tier of this project. Every key below is at its default;\n")
        .append("# delete what you do not change. ${VAR} takes a value from the environment,\n")
        .append("# ${VAR:-default} with a fallback. A port of 0 picks a free port.\n")
        .append("# The first line lets editors complete and check keys with ")
        .append(SCHEMA_FILE)
        .append(
            ",\n# which strata init writes beside this file (`strata init --schema` rewrites it).\n");
    for (Section<?> section : StrataSpec.SECTIONS) {
      out.append("\n# ").append(section.description()).append('\n');
      out.append(section.name()).append(":\n");
      for (Key<?> key : section.keys()) {
        out.append("  # ")
            .append(key.description())
            .append(" Allowed: ")
            .append(key.type().allowed())
            .append(".\n");
        out.append("  ").append(key.name()).append(": ").append(key.renderedDefault()).append('\n');
      }
    }
    return out.toString();
  }
}
