package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata monitor} and {@code maintain} refuse what they cannot check, before connecting. */
final class AdvisorCommandsTest {
  @TempDir Path dir;

  @Test
  void monitor_before_up_names_the_cause_and_the_fix() {
    Cli run = Cli.run(dir, "monitor");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    assertThat(run.err()).contains("has not been brought up").contains("run `strata up` first");
    assertThat(dir.resolve(".strata")).doesNotExist();
  }

  @Test
  void maintain_before_up_names_the_cause_and_the_fix() {
    Cli run = Cli.run(dir, "maintain", "--dry-run");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    assertThat(run.err()).contains("has not been brought up").contains("run `strata up` first");
    assertThat(dir.resolve(".strata")).doesNotExist();
  }

  @Test
  void watch_must_be_a_positive_interval() {
    Cli run = Cli.run(dir, "monitor", "--watch", "0");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("--watch must be at least 1 second");
  }

  @Test
  void a_bad_threshold_is_refused_with_its_key() throws Exception {
    Files.writeString(dir.resolve("strata.yaml"), "advisor:\n  connections_warn: 120\n");
    Cli run = Cli.run(dir, "monitor");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("advisor.connections_warn").contains("1 to 100");
  }
}
