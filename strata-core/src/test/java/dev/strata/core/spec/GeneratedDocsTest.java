package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docs/configuration.md's key tables and docs/strata.schema.json are generated from the key
 * declarations; this test fails when the committed files are stale, and regenerates them when run
 * with {@code -Dstrata.regenerate=true}.
 */
final class GeneratedDocsTest {
  static final String REGENERATE =
      "mvn -B -q -pl strata-core test -Dtest=GeneratedDocsTest -Dstrata.regenerate=true";

  private static final Path DOCS =
      Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../docs").normalize();

  @Test
  void configuration_page_matches_the_key_declarations() throws IOException {
    Path page = DOCS.resolve("configuration.md");
    String committed = Files.readString(page, StandardCharsets.UTF_8);
    checkOrRegenerate(page, committed, ConfigReference.updateDoc(committed));
  }

  @Test
  void schema_file_matches_the_key_declarations() throws IOException {
    Path schema = DOCS.resolve("strata.schema.json");
    String committed = Files.exists(schema) ? Files.readString(schema, StandardCharsets.UTF_8) : "";
    checkOrRegenerate(schema, committed, ConfigReference.schema());
  }

  @Test
  void a_stale_page_is_detected() {
    String doc = "# t\n" + ConfigReference.BEGIN + "\n| old table |\n" + ConfigReference.END + "\n";
    String updated = ConfigReference.updateDoc(doc);
    assertThat(updated).isNotEqualTo(doc).contains("`postgres.port`").doesNotContain("old table");
    assertThat(ConfigReference.updateDoc(updated)).isEqualTo(updated);
  }

  @Test
  void page_without_markers_is_refused() {
    assertThatThrownBy(() -> ConfigReference.updateDoc("# no markers\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ConfigReference.BEGIN);
  }

  @Test
  void every_key_is_in_the_tables_and_the_schema() {
    String tables = ConfigReference.keyTables();
    Map<String, Object> schema = new Yaml().load(ConfigReference.schema());
    assertThat(schema).containsEntry("$schema", "http://json-schema.org/draft-07/schema#");
    for (String path : ConfigReference.paths()) {
      assertThat(tables).contains("| `" + path + "` |");
      String[] parts = path.split("\\.");
      Map<String, Object> key = property(property(schema, parts[0]), parts[1]);
      assertThat(key).as(path).containsKeys("description", "default");
    }
    assertThat(ConfigReference.paths())
        .contains("tenancy.columns", "migrations.lock_timeout", "redis.tls", "postgres.settings");
  }

  @Test
  void schema_refuses_unknown_keys_and_carries_defaults() {
    Map<String, Object> schema = new Yaml().load(ConfigReference.schema());
    assertThat(schema).containsEntry("additionalProperties", false);
    Map<String, Object> postgres = property(schema, "postgres");
    assertThat(postgres).containsEntry("additionalProperties", false);
    assertThat(property(postgres, "port")).containsEntry("default", 5432);
    assertThat(property(postgres, "databases")).containsEntry("default", List.of("app"));
    assertThat(property(property(schema, "pooler"), "mode").toString())
        .contains("transaction", "session", "statement");
    assertThat(property(postgres, "settings").toString()).contains("listen_addresses");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> property(Map<String, Object> schema, String name) {
    Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
    assertThat(properties).as("properties of the schema").containsKey(name);
    return (Map<String, Object>) properties.get(name);
  }

  private static void checkOrRegenerate(Path file, String committed, String generated)
      throws IOException {
    if (Boolean.getBoolean("strata.regenerate")) {
      Files.writeString(file, generated, StandardCharsets.UTF_8);
      return;
    }
    assertThat(committed)
        .as(
            "%s is stale: it is generated from the key declarations in dev.strata.core.spec."
                + " Regenerate it with `%s` and commit it",
            DOCS.getParent().relativize(file), REGENERATE)
        .isEqualTo(generated);
  }
}
