package dev.strata.ops.agent;

import dev.strata.core.StrataException;
import dev.strata.ops.backup.Backups;
import dev.strata.ops.backup.Drill;
import dev.strata.ops.backup.DrillResult;
import java.util.Optional;

/**
 * The scheduled restore drill ({@code backup.schedule.drill}): restores the latest backup beside
 * the stack and runs its checks, inside the maintenance window (it reads the whole repository).
 */
record DrillJob() implements AgentJob {
  @Override
  public String name() {
    return "drill";
  }

  @Override
  public boolean maintenance() {
    return true;
  }

  @Override
  public void run(JobContext ctx) {
    DrillResult r = new Drill(new Backups(ctx.stack().context(), ctx.log())).run(Optional.empty());
    if (!r.ok()) {
      throw StrataException.failed(
          "the restore drill of " + r.backupSet() + " failed: " + r.toMap().get("checks"),
          "see strata drill --help and the agent's log",
          null);
    }
  }
}
