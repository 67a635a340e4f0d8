package dev.strata.ops.agent;

/**
 * Work the agent runs on a schedule: a backup, a drill, maintenance. Wired in {@link AgentHooks}
 * with its cron expression; the scheduler runs one job at a time, records each run (its duration,
 * result and message) in {@code /api/status} and {@code /metrics}, and logs a failure without
 * stopping the schedule.
 */
public interface AgentJob {

  /**
   * The job's name in logs, metrics ({@code job} label) and the status API, e.g. {@code
   * backup-full}.
   */
  String name();

  /**
   * Runs once.
   *
   * @throws Exception when the run failed; its message is recorded as the run's result
   */
  void run(JobContext ctx) throws Exception;

  /**
   * Whether the job may run only inside {@code agent.maintenance_window}: a run whose cron time
   * falls outside is moved to the window's next opening. False by default.
   */
  default boolean maintenance() {
    return false;
  }
}
