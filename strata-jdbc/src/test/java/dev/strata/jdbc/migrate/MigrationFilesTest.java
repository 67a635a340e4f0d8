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

  private static MigrationFolder read(List<String> names, String sql) {
    return MigrationFiles.read(names, n -> sql.getBytes(), "migrations");
  }

  @Test
  void prisma_folders_are_read_as_prisma() {
    MigrationFolder folder =
        read(
            List.of(
                "migration_lock.toml",
                "20260102000000_more/migration.sql",
                "20260101000000_init/migration.sql",
                "20260101000000_init/down.sql"),
            "SELECT 1;");
    assertThat(folder.format()).isEqualTo(FolderFormat.PRISMA);
    assertThat(folder.migrations())
        .extracting(Migration::name)
        .containsExactly("20260101000000_init", "20260102000000_more");
    assertThat(folder.migrations().get(0).down()).isPresent();
  }

  @Test
  void flyway_folders_are_read_as_flyway_with_undo_and_repeatable() {
    MigrationFolder folder =
        read(List.of("V2__more.sql", "V1__init.sql", "U2__more.sql", "R__views.sql"), "SELECT 1;");
    assertThat(folder.format()).isEqualTo(FolderFormat.FLYWAY);
    assertThat(folder.migrations()).extracting(Migration::version).containsExactly(1L, 2L);
    assertThat(folder.migrations().get(1).down()).isPresent();
    assertThat(folder.repeatables()).extracting(Migration::name).containsExactly("R__views");
  }

  @Test
  void a_file_matching_no_rule_is_an_error_naming_it() {
    assertThatThrownBy(() -> read(List.of("000001_a.up.sql", "notes.sql", "README.md"), ""))
        .isInstanceOf(StrataException.class)
        .hasMessageStartingWith("migrations/notes.sql matches no migration naming rule");
  }

  @Test
  void mixed_formats_are_refused() {
    assertThatThrownBy(() -> read(List.of("000001_a.up.sql", "V2__b.sql"), ""))
        .hasMessageContaining("mixes migration formats");
  }

  @Test
  void dotted_flyway_versions_are_refused_with_a_rename() {
    assertThatThrownBy(() -> read(List.of("V1__a.sql", "V1.1__b.sql"), ""))
        .hasMessageContaining("Flyway version 1.1 has parts");
  }

  @Test
  void create_follows_a_flyway_or_prisma_folder() throws IOException {
    Path flyway = Files.createDirectories(dir.resolve("flyway"));
    Files.writeString(flyway.resolve("V7__a.sql"), "SELECT 1;");
    assertThat(MigrationFiles.next(flyway, "Add b", NOON))
        .extracting(p -> p.getFileName().toString())
        .containsExactly("V8__add_b.sql", "U8__add_b.sql");
    Path prisma = Files.createDirectories(dir.resolve("prisma/20260101000000_init"));
    Files.writeString(prisma.resolve("migration.sql"), "SELECT 1;");
    assertThat(MigrationFiles.next(prisma.getParent(), "Add b", NOON))
        .extracting(p -> prisma.getParent().relativize(p).toString())
        .containsExactly("20261126120000_add_b/migration.sql", "20261126120000_add_b/down.sql");
  }
}
