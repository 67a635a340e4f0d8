package dev.strata.ops.agent;

import dev.strata.ops.backup.Backups;

/**
 * A scheduled pgBackRest backup ({@code backup.schedule.full|diff|incr}), through {@link Backups}.
 */
record BackupJob(String type) implements AgentJob {
  @Override
  public String name() {
    return "backup-" + type;
  }

  @Override
  public void run(JobContext ctx) {
    new Backups(ctx.stack().context(), ctx.log()).backup(type);
  }
}
