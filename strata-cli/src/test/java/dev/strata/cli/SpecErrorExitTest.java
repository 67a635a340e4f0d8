package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A strata.yaml that sets what another key owns, or a key twice, is a configuration error: exit 2
 * with file:line:column and the fix, before anything is created or started.
 */
class SpecErrorExitTest {
  @TempDir Path dir;

  @Test
  void up_refuses_listen_addresses_in_settings_and_names_security_bind() throws IOException {
    Files.writeString(
        dir.resolve("strata.yaml"),
        "postgres:\n  port: 0\n  settings: {listen_addresses: \"*\"}\n");
    Cli up = Cli.run(dir, "up");
    assertThat(up.exitCode()).as(up.toString()).isEqualTo(2);
    assertThat(up.err())
        .contains("strata.yaml:3:14: postgres.settings.listen_addresses:")
        .contains("set security.bind instead")
        .contains("nothing was started");
    assertThat(dir.resolve(".strata")).doesNotExist();
  }

  @Test
  void up_refuses_a_setting_given_twice() throws IOException {
    Files.writeString(
        dir.resolve("strata.yaml"),
        "postgres:\n  settings:\n    max_connections: 100\n    max_connections: 200\n");
    Cli up = Cli.run(dir, "up");
    assertThat(up.exitCode()).as(up.toString()).isEqualTo(2);
    assertThat(up.err())
        .contains("strata.yaml:4:5: postgres.settings.max_connections: set twice")
        .contains("first at strata.yaml:3:5");
    assertThat(dir.resolve(".strata")).doesNotExist();
  }
}
