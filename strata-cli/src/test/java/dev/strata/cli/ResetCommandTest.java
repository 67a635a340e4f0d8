package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata reset}'s refusals, which come before anything is dropped. The reset itself runs
 * against a real stack in docs/migrations.md's tested example (DocsExamplesIT).
 */
class ResetCommandTest {
  @TempDir Path dir;

  @Test
  void without_yes_it_refuses_and_names_the_option() throws IOException {
    Files.writeString(dir.resolve("strata.yaml"), "postgres:\n  port: 0\n");
    Cli reset = Cli.run(dir, "reset");
    assertThat(reset.exitCode()).isEqualTo(2);
    assertThat(reset.err())
        .contains("deletes every row of database app")
        .contains("fix: run `strata reset --yes`");
    assertThat(dir.resolve(".strata")).doesNotExist();
  }

  @Test
  void a_missing_seed_file_is_refused_before_anything_is_dropped() throws IOException {
    Files.writeString(dir.resolve("strata.yaml"), "migrations:\n  seed: [seed.sql, more.sql]\n");
    Files.writeString(dir.resolve("seed.sql"), "select 1;\n");
    Cli reset = Cli.run(dir, "reset", "--yes");
    assertThat(reset.exitCode()).isEqualTo(2);
    assertThat(reset.err())
        .contains("migrations.seed names more.sql, and there is no such file")
        .contains("fix: create it, or correct migrations.seed");
  }

  @Test
  void no_stack_no_reset() throws IOException {
    Files.writeString(dir.resolve("strata.yaml"), "postgres:\n  port: 0\n");
    Cli reset = Cli.run(dir, "reset", "--yes");
    assertThat(reset.exitCode()).isEqualTo(2);
    assertThat(reset.err()).contains("there is no stack here").contains("run `strata up` first");
    assertThat(dir.resolve(".strata")).doesNotExist();
  }

  @Test
  void an_unknown_database_is_refused() {
    Cli reset = Cli.run(dir, "reset", "--yes", "-d", "nope");
    assertThat(reset.exitCode()).isEqualTo(2);
    assertThat(reset.err()).contains("database nope is not in postgres.databases [app]");
  }
}
