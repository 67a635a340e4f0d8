package dev.strata.ops.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PostmasterStatusTest {
  private static final long STARTED = 1_764_700_000L;

  private static List<String> pidFile(long started, String status) {
    return List.of(
        "4242",
        "/srv/data",
        Long.toString(started),
        "5432",
        "/run/strata",
        "127.0.0.1",
        "  1234567   98304",
        String.format("%-8s", status));
  }

  @Test
  void ready_a_fresh_postmaster_that_accepts_connections() {
    assertThat(PostmasterStatus.ready(pidFile(STARTED, "ready"), STARTED)).isTrue();
    assertThat(PostmasterStatus.ready(pidFile(STARTED, "standby"), STARTED)).isTrue();
  }

  @Test
  void ready_not_while_starting_or_stopping() {
    assertThat(PostmasterStatus.ready(pidFile(STARTED, "starting"), STARTED)).isFalse();
    assertThat(PostmasterStatus.ready(pidFile(STARTED, "stopping"), STARTED)).isFalse();
  }

  @Test
  void ready_not_from_the_file_of_an_earlier_postmaster() {
    assertThat(PostmasterStatus.ready(pidFile(STARTED - 60, "ready"), STARTED)).isFalse();
    // pg_ctl's own slack for the clock: two seconds
    assertThat(PostmasterStatus.ready(pidFile(STARTED - 2, "ready"), STARTED)).isTrue();
  }

  @Test
  void ready_not_from_a_file_still_being_written() {
    assertThat(PostmasterStatus.ready(pidFile(STARTED, "ready").subList(0, 7), STARTED)).isFalse();
    assertThat(PostmasterStatus.ready(List.of("4242", "/srv/data", "soon"), STARTED)).isFalse();
  }

  @Test
  void ready_not_when_the_process_it_names_is_gone(@TempDir Path data) throws IOException {
    List<String> lines = new java.util.ArrayList<>(pidFile(STARTED, "ready"));
    lines.set(0, "999999999"); // no such process
    Files.write(data.resolve("postmaster.pid"), lines);
    assertThat(PostmasterStatus.ready(data, STARTED)).isFalse();
    assertThat(PostmasterStatus.ready(data.resolve("absent"), STARTED)).isFalse();
  }
}
