package dev.strata.ops.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MigrationFilesTest {
  @TempDir Path dir;

  @Test
  void empty_folder_starts_at_one_padded_to_six() {
    MigrationFiles.Written w = new MigrationFiles(dir.resolve("migrations")).write("t", "up", "dn");
    assertThat(w.up().getFileName().toString()).isEqualTo("000001_t.up.sql");
    assertThat(w.down().getFileName().toString()).isEqualTo("000001_t.down.sql");
  }

  @Test
  void next_version_follows_the_highest_and_keeps_its_padding() throws IOException {
    Files.writeString(dir.resolve("0001_init.up.sql"), "");
    Files.writeString(dir.resolve("0009_sites.up.sql"), "");
    Files.writeString(dir.resolve("0009_sites.down.sql"), "");
    Files.writeString(dir.resolve("README.md"), "");
    MigrationFiles.Written w = new MigrationFiles(dir).write("tenant_isolation", "up", "down");
    assertThat(w.up().getFileName().toString()).isEqualTo("0010_tenant_isolation.up.sql");
    assertThat(Files.readString(w.up())).isEqualTo("up");
    assertThat(Files.readString(w.down())).isEqualTo("down");
  }

  @Test
  void unpadded_versions_stay_unpadded() throws IOException {
    Files.writeString(dir.resolve("7_x.up.sql"), "");
    assertThat(new MigrationFiles(dir).nextVersion()).isEqualTo("8");
  }
}
