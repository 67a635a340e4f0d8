package dev.strata.ops.agent;

import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.advisor.AdvisorMetrics;
import dev.strata.ops.backup.BackupMetrics;
import dev.strata.ops.stack.Stack;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that lists what the agent runs beyond supervision: the {@link MeterBinder}s whose
 * meters it serves on {@code /metrics}, and the scheduled jobs. Wiring a new one is one line here.
 */
public final class AgentHooks {
  private AgentHooks() {}

  /** The meters other packages contribute to the agent's {@code /metrics}. */
  public static List<MeterBinder> binders(Stack stack) {
    List<MeterBinder> binders = new ArrayList<>();
    binders.add(new AdvisorMetrics(stack));
    if (stack.spec().backup().enabled()) {
      binders.add(new BackupMetrics(stack));
    }
    return binders;
  }

  /** The jobs strata.yaml schedules: backups and drills ({@code backup.schedule}). */
  public static List<ScheduledJob> jobs(Stack stack) {
    StrataSpec spec = stack.spec();
    List<ScheduledJob> jobs = new ArrayList<>();
    spec.agent().maintain().ifPresent(cron -> jobs.add(new ScheduledJob(cron, new MaintainJob())));
    spec.backup()
        .schedule()
        .byKind()
        .forEach(
            (kind, cron) -> {
              switch (kind) {
                case "drill" -> {
                  if (spec.backup().enabled()) {
                    jobs.add(new ScheduledJob(cron, new DrillJob()));
                  }
                }
                case "redis" -> jobs.add(new ScheduledJob(cron, new RedisSnapshotJob()));
                default -> {
                  if (spec.backup().enabled()) {
                    jobs.add(new ScheduledJob(cron, new BackupJob(kind)));
                  }
                }
              }
            });
    return jobs;
  }
}
