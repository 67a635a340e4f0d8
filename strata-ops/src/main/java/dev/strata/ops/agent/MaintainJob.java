package dev.strata.ops.agent;

import dev.strata.core.StrataException;
import dev.strata.ops.advisor.Maintenance;
import dev.strata.ops.advisor.MaintenanceReport;

/**
 * {@code strata maintain} on a schedule ({@code agent.maintain}), inside the maintenance window:
 * VACUUM and REINDEX where the advisor finds a reason; indexes are only reported, never dropped.
 */
record MaintainJob() implements AgentJob {
  @Override
  public String name() {
    return "maintain";
  }

  @Override
  public boolean maintenance() {
    return true;
  }

  @Override
  public void run(JobContext ctx) {
    MaintenanceReport report = new Maintenance(ctx.stack(), ctx.log()).run(false);
    ctx.log().accept("maintain: " + report.toMap().get("actions"));
    if (report.failed()) {
      throw StrataException.failed(
          "an action of strata maintain failed: " + report.toMap(),
          "see the agent's log (strata logs agent) and run strata maintain --dry-run",
          null);
    }
  }
}
