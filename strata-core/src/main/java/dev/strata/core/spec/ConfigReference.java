package dev.strata.core.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The strata.yaml reference, generated from the key declarations ({@link StrataSpec#SECTIONS}): the
 * JSON Schema editors complete and check keys with, and the key tables of docs/configuration.md.
 * Both are committed; {@code GeneratedDocsTest} fails when they differ from what this produces.
 */
public final class ConfigReference {
  /** Opens the part of docs/configuration.md this class writes; the text around it is prose. */
  public static final String BEGIN =
      "<!-- generated: keys (do not edit; see GeneratedDocsTest) -->";

  /** Closes the generated part. */
  public static final String END = "<!-- end generated -->";

  /** The JSON Schema dialect: draft-07, the newest yaml-language-server fully supports. */
  static final String DIALECT = "http://json-schema.org/draft-07/schema#";

  private ConfigReference() {}

  /** The JSON Schema (draft-07) of strata.yaml. */
  public static String schema() {
    Map<String, Object> sections = new LinkedHashMap<>();
    for (Section<?> section : StrataSpec.SECTIONS) {
      Map<String, Object> keys = new LinkedHashMap<>();
      for (Key<?> key : section.keys()) {
        keys.put(key.name(), keySchema(key));
      }
      sections.put(
          section.name(),
          Json.obj(
              "description",
              section.description() + ".",
              // An empty section (`redis:`) is allowed and means every default.
              "type",
              List.of("object", "null"),
              "additionalProperties",
              false,
              "properties",
              keys));
    }
    return Json.write(
        Json.obj(
            "$schema",
            DIALECT,
            "title",
            "strata.yaml",
            "description",
            "The data tier of a project, read by strata. Generated from the key declarations in"
                + " strata-core (dev.strata.core.spec); docs/configuration.md explains each key.",
            "type",
            List.of("object", "null"),
            "additionalProperties",
            false,
            "properties",
            sections));
  }

  private static Map<String, Object> keySchema(Key<?> key) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("description", key.description() + " Allowed: " + key.type().allowed() + ".");
    out.put("default", jsonDefault(key));
    out.putAll(key.type().schema());
    return out;
  }

  /** The default as JSON: the YAML {@code strata init} writes, read back as plain values. */
  private static Object jsonDefault(Key<?> key) {
    Object value = new Yaml(new LoaderOptions()).load(key.renderedDefault());
    return value == null ? key.renderedDefault() : value;
  }

  /** The key tables, one per section, as written between {@link #BEGIN} and {@link #END}. */
  public static String keyTables() {
    StringBuilder out = new StringBuilder();
    for (Section<?> section : StrataSpec.SECTIONS) {
      out.append("\n### `").append(section.name()).append("`: ");
      out.append(section.description()).append("\n\n");
      out.append("| Key | Default | Allowed | What it does |\n");
      out.append("| --- | --- | --- | --- |\n");
      for (Key<?> key : section.keys()) {
        out.append("| `")
            .append(section.name())
            .append('.')
            .append(key.name())
            .append("` | `")
            .append(key.renderedDefault().replace("|", "\\|"))
            .append("` | ")
            .append(cell(key.type().allowed()))
            .append(" | ")
            .append(cell(key.description()))
            .append(" |\n");
      }
    }
    return out.toString();
  }

  /**
   * {@code doc} with its generated part replaced by {@link #keyTables()}.
   *
   * @throws IllegalArgumentException when {@code doc} lacks the {@link #BEGIN} / {@link #END}
   *     markers
   */
  public static String updateDoc(String doc) {
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "docs/configuration.md has no " + BEGIN + " ... " + END + " region");
    }
    return doc.substring(0, begin + BEGIN.length())
        + "\n"
        + keyTables()
        + "\n"
        + doc.substring(end);
  }

  /** Every key path, e.g. {@code postgres.port}, in declaration order. */
  public static List<String> paths() {
    List<String> out = new ArrayList<>();
    for (Section<?> section : StrataSpec.SECTIONS) {
      for (Key<?> key : section.keys()) {
        out.add(section.name() + "." + key.name());
      }
    }
    return out;
  }

  /** Markdown table cell text: pipes escaped, {@code <db>} shown rather than taken for HTML. */
  private static String cell(String text) {
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
  }
}
