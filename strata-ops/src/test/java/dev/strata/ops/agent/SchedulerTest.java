package dev.strata.ops.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.schedule.Cron;
import dev.strata.core.schedule.MaintenanceWindow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

final class SchedulerTest {
  private static final ZonedDateTime WED_1030 =
      ZonedDateTime.of(2026, 12, 2, 10, 30, 0, 0, ZoneOffset.UTC);

  private record Job(String name, boolean maintenance, Runnable body) implements AgentJob {
    @Override
    public void run(JobContext ctx) {
      body.run();
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final AgentMetrics metrics = new AgentMetrics(List.of());

  private Scheduler scheduler(List<ScheduledJob> jobs) {
    return new Scheduler(
        jobs,
        MaintenanceWindow.parse("sun 02:00-04:00"),
        new JobContext(null, line -> {}),
        metrics,
        new AgentLog(new PrintStream(out, true, StandardCharsets.UTF_8)));
  }

  @Test
  void a_maintenance_job_waits_for_the_window() {
    ScheduledJob nightly =
        new ScheduledJob(Cron.parse("0 1 * * *"), new Job("vacuum", true, () -> {}));
    ScheduledJob backup =
        new ScheduledJob(Cron.parse("0 1 * * *"), new Job("backup", false, () -> {}));
    try (Scheduler s = scheduler(List.of(nightly, backup))) {
      // Thursday 01:00 is outside sun 02:00-04:00: the run moves to Sunday 02:00.
      assertThat(s.nextRun(nightly, WED_1030))
          .isEqualTo(ZonedDateTime.of(2026, 12, 6, 2, 0, 0, 0, ZoneOffset.UTC));
      assertThat(s.nextRun(backup, WED_1030))
          .isEqualTo(ZonedDateTime.of(2026, 12, 3, 1, 0, 0, 0, ZoneOffset.UTC));
    }
    ScheduledJob inside =
        new ScheduledJob(Cron.parse("30 2 * * sun"), new Job("drill", true, () -> {}));
    try (Scheduler s = scheduler(List.of(inside))) {
      assertThat(s.nextRun(inside, WED_1030))
          .isEqualTo(ZonedDateTime.of(2026, 12, 6, 2, 30, 0, 0, ZoneOffset.UTC));
    }
  }

  @Test
  void a_failing_run_is_recorded_counted_and_logged() {
    Job failing =
        new Job(
            "flaky",
            false,
            () -> {
              throw new IllegalStateException("disk full");
            });
    try (Scheduler s = scheduler(List.of(new ScheduledJob(Cron.parse("@daily"), failing)))) {
      JobRun run = s.runNow(failing);
      assertThat(run.ok()).isFalse();
      assertThat(run.message()).isEqualTo("disk full");
      assertThat(s.status().get(0).get("last_run").toString()).contains("disk full");
      assertThat(s.history()).containsExactly(run);
    }
    assertThat(metrics.scrape())
        .contains("strata_agent_job_runs_total{job=\"flaky\",result=\"failed\"} 1.0");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("job flaky: failed after");
  }

  @Test
  void backoff_doubles_up_to_its_cap() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    assertThat(b.after(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.after(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.after(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(b.after(7)).isEqualTo(Duration.ofSeconds(60));
    assertThat(b.after(30)).isEqualTo(Duration.ofSeconds(60));
  }
}
