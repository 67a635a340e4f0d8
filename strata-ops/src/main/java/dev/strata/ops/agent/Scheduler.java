package dev.strata.ops.agent;

import dev.strata.core.schedule.MaintenanceWindow;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scheduled jobs at their cron times, one at a time (two backups, or a backup and a drill,
 * never overlap), a maintenance job only inside the maintenance window: a cron time outside it
 * moves to the window's next opening. A run that is late because another ran is started at once; a
 * job's run never raises past the scheduler — its failure is logged, counted and kept in the
 * history.
 */
final class Scheduler implements AutoCloseable {
  private static final int HISTORY = 200;

  private final List<ScheduledJob> jobs;
  private final MaintenanceWindow window;
  private final JobContext context;
  private final AgentMetrics metrics;
  private final AgentLog log;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "strata-agent-jobs");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, ZonedDateTime> next = new ConcurrentHashMap<>();
  private final Map<String, JobRun> last = new ConcurrentHashMap<>();
  private final Deque<JobRun> history = new ArrayDeque<>();

  Scheduler(
      List<ScheduledJob> jobs,
      MaintenanceWindow window,
      JobContext context,
      AgentMetrics metrics,
      AgentLog log) {
    this.jobs = List.copyOf(jobs);
    this.window = window;
    this.context = context;
    this.metrics = metrics;
    this.log = log;
  }

  void start() {
    for (ScheduledJob j : jobs) {
      plan(j, ZonedDateTime.now());
    }
  }

  /** The next run of {@code j} after {@code after}: its cron time, inside the window if need be. */
  ZonedDateTime nextRun(ScheduledJob j, ZonedDateTime after) {
    ZonedDateTime t = j.cron().next(after);
    return j.job().maintenance() ? window.nextOpening(t) : t;
  }

  private void plan(ScheduledJob j, ZonedDateTime after) {
    ZonedDateTime t = nextRun(j, after);
    next.put(j.job().name(), t);
    long delay = Math.max(0, Duration.between(ZonedDateTime.now(), t).toMillis());
    executor.schedule(() -> fire(j, t), delay, TimeUnit.MILLISECONDS);
  }

  private void fire(ScheduledJob j, ZonedDateTime due) {
    try {
      runNow(j.job());
    } finally {
      ZonedDateTime now = ZonedDateTime.now();
      plan(j, now.isAfter(due) ? now : due);
    }
  }

  /** Runs one job at once on the caller's thread and records the run. */
  JobRun runNow(AgentJob job) {
    log.info("job " + job.name() + ": starting");
    long start = System.nanoTime();
    java.time.Instant at = java.time.Instant.now();
    JobRun run;
    try {
      job.run(context);
      run = new JobRun(job.name(), at, (System.nanoTime() - start) / 1_000_000, true, "ok");
      log.info("job " + job.name() + ": done in " + run.millis() + " ms");
    } catch (Exception | Error e) {
      run =
          new JobRun(
              job.name(),
              at,
              (System.nanoTime() - start) / 1_000_000,
              false,
              String.valueOf(e.getMessage()));
      log.warn("job " + job.name() + ": failed after " + run.millis() + " ms: " + e.getMessage());
    }
    metrics.jobRan(job.name(), run.ok(), System.nanoTime() - start);
    last.put(job.name(), run);
    synchronized (history) {
      history.addFirst(run);
      while (history.size() > HISTORY) {
        history.removeLast();
      }
    }
    return run;
  }

  /** Each job: its schedule, next run and last run. */
  List<Map<String, Object>> status() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ScheduledJob j : jobs) {
      Map<String, Object> m = new LinkedHashMap<>();
      String name = j.job().name();
      m.put("job", name);
      m.put("cron", j.cron().toString());
      m.put("maintenance", j.job().maintenance());
      ZonedDateTime n = next.get(name);
      m.put("next_run", n == null ? null : n.toOffsetDateTime().toString());
      JobRun r = last.get(name);
      m.put("last_run", r == null ? null : r.toMap());
      out.add(m);
    }
    return out;
  }

  /** The latest runs, newest first. */
  List<JobRun> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
