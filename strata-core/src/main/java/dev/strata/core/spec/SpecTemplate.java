package dev.strata.core.spec;

/** Writes a commented strata.yaml with every key at its default, from the key declarations. */
public final class SpecTemplate {
  private SpecTemplate() {}

  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# strata.yaml: the data tier of this project. Every key below is at its default;\n")
        .append("# delete what you do not change. ${VAR} takes a value from the environment,\n")
        .append("# ${VAR:-default} with a fallback. A port of 0 picks a free port.\n");
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
