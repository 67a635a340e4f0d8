package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.ConfigReference;
import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata init} writes strata.yaml pointing editors at a schema it writes beside it. */
class InitCommandTest {
  private static final String MODELINE_PREFIX = "# yaml-language-server: $schema=";

  @TempDir Path dir;

  @Test
  void init_writes_the_modeline_first_and_the_schema_it_names() throws IOException {
    Cli init = Cli.run(dir, "init");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    Path yaml = dir.resolve("strata.yaml");
    String text = Files.readString(yaml, StandardCharsets.UTF_8);
    String first = text.lines().findFirst().orElseThrow();
    assertThat(first).startsWith(MODELINE_PREFIX);
    // yaml-language-server resolves a relative $schema from the YAML file's folder.
    Path schema = yaml.getParent().resolve(first.substring(MODELINE_PREFIX.length())).normalize();
    assertThat(schema).exists();
    assertThat(Files.readString(schema, StandardCharsets.UTF_8))
        .isEqualTo(ConfigReference.schema());
    assertThat(init.out()).contains("wrote " + yaml).contains(schema.toString());
    StrataSpec spec = SpecLoader.load(yaml, Map.<String, String>of()::get);
    assertThat(spec).isEqualTo(StrataSpec.defaults());
  }

  @Test
  void print_starts_with_the_modeline_and_writes_nothing() {
    Cli print = Cli.run(dir, "init", "--print");
    assertThat(print.exitCode()).as(print.toString()).isZero();
    assertThat(print.out()).startsWith(MODELINE_PREFIX + "./strata.schema.json\n");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void print_schema_prints_the_json_schema() {
    Cli print = Cli.run(dir, "init", "--print", "--schema");
    assertThat(print.exitCode()).isZero();
    assertThat(print.out())
        .isEqualTo(ConfigReference.schema())
        .contains("\"$schema\": \"http://json-schema.org/draft-07/schema#\"");
  }

  @Test
  void an_existing_file_is_kept_and_the_fix_named() throws IOException {
    Path yaml = dir.resolve("strata.yaml");
    Files.writeString(yaml, "postgres:\n  port: 7000\n");
    Cli init = Cli.run(dir, "init");
    assertThat(init.exitCode()).isEqualTo(2);
    assertThat(init.err()).contains("already exists").contains("strata init --schema");
    assertThat(Files.readString(yaml)).isEqualTo("postgres:\n  port: 7000\n");
  }

  @Test
  void schema_alone_refreshes_the_schema_and_says_how_to_use_it() throws IOException {
    Path yaml = dir.resolve("strata.yaml");
    Files.writeString(yaml, "postgres:\n  port: 7000\n");
    Files.writeString(dir.resolve("strata.schema.json"), "{\"stale\": true}\n");
    Cli schema = Cli.run(dir, "init", "--schema");
    assertThat(schema.exitCode()).as(schema.toString()).isZero();
    assertThat(Files.readString(dir.resolve("strata.schema.json")))
        .isEqualTo(ConfigReference.schema());
    assertThat(schema.out()).contains("make this the first line of strata.yaml");
    assertThat(Files.readString(yaml)).isEqualTo("postgres:\n  port: 7000\n");
  }

  @Test
  void a_named_file_gets_its_schema_in_its_own_folder() throws IOException {
    Files.createDirectories(dir.resolve("deploy"));
    Cli init = Cli.run(dir, "-f", "deploy/prod.yaml", "init");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(dir.resolve("deploy/prod.yaml")).exists();
    assertThat(dir.resolve("deploy/strata.schema.json")).exists();
    assertThat(dir.resolve("strata.schema.json")).doesNotExist();
  }

  @Test
  void init_writes_a_gitignore_or_adds_only_the_lines_it_lacks() throws IOException {
    Cli first = Cli.run(dir, "init");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(Files.readAllLines(dir.resolve(".gitignore"))).contains(".strata/", ".env");
    assertThat(first.out()).contains("wrote " + dir.resolve(".gitignore"));

    Path other = Files.createDirectory(dir.resolve("other"));
    Files.writeString(other.resolve(".gitignore"), "target/\n.env");
    Cli second = Cli.run(other, "init");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(Files.readAllLines(other.resolve(".gitignore")))
        .containsSubsequence("target/", ".env", ".strata/")
        .filteredOn(".env"::equals)
        .hasSize(1);
    assertThat(second.out()).contains("added .strata/ to " + other.resolve(".gitignore"));
    assertThat(GitIgnore.ensure(other)).isEmpty();
  }

  @Test
  void env_lines_quote_for_their_format() {
    assertThat(EnvCommand.line(EnvCommand.Format.shell, true, "A", "x'y&z"))
        .isEqualTo("export A='x'\\''y&z'");
    assertThat(EnvCommand.line(EnvCommand.Format.dotenv, true, "A", "p#\"q"))
        .isEqualTo("A=\"p#\\\"q\"");
  }
}
