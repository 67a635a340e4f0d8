package dev.strata.jdbc.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MigrationFilesTest {
  private static final Clock NOON =
      Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void empty_folder_starts_a_six_digit_sequence() {
    List<Path> files = MigrationFiles.next(dir, "Create users table", NOON);
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("000001_create_users_table.up.sql", "000001_create_users_table.down.sql");
  }

  @Test
  void sequence_keeps_the_folder_width() throws IOException {
    Files.writeString(dir.resolve("0009_a.up.sql"), "");
    Files.writeString(dir.resolve("0010_b.up.sql"), "");
    assertThat(MigrationFiles.next(dir, "c", NOON).get(0).getFileName().toString())
        .isEqualTo("0011_c.up.sql");
  }

  @Test
  void timestamps_continue_as_timestamps() throws IOException {
    Files.writeString(dir.resolve("20261001093000_a.up.sql"), "");
    assertThat(MigrationFiles.next(dir, "b", NOON).get(0).getFileName().toString())
        .isEqualTo("20261126120000_b.up.sql");
  }

  @Test
  void title_without_letters_is_refused() {
    assertThatThrownBy(() -> MigrationFiles.next(dir, " -- ", NOON))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("has no letter or digit");
  }

  @Test
  void down_file_without_up_file_is_refused() {
    assertThatThrownBy(
            () -> MigrationFiles.pair(List.of("000002_x.down.sql"), n -> new byte[0], "migrations"))
        .isInstanceOf(StrataException.class)
        .hasMessage("migrations/000002_x.down.sql has no up file");
  }

  @Test
  void files_pair_by_version_in_numeric_order() {
    List<Migration> migrations =
        MigrationFiles.pair(
            List.of("10_b.up.sql", "9_a.up.sql", "9_a.down.sql", "README.md"),
            n -> "-- strata:no-transaction\nSELECT 1;".getBytes(),
            "m");
    assertThat(migrations).extracting(Migration::version).containsExactly(9L, 10L);
    assertThat(migrations.get(0).down()).isPresent();
    assertThat(migrations.get(1).down()).isEmpty();
    assertThat(migrations.get(0).up().noTransaction()).isTrue();
  }
}
