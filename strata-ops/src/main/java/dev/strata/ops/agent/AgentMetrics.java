package dev.strata.ops.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's {@code /metrics}: Micrometer's Prometheus registry with the agent's own figures
 * (uptime, restarts, job runs, failures and durations, each instance up or down), its JVM's memory
 * and CPU, and whatever the {@link AgentHooks} binders contribute.
 */
final class AgentMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final long startedNanos = System.nanoTime();

  private final List<MeterBinder> binders;

  AgentMetrics(List<MeterBinder> binders) {
    this.binders = List.copyOf(binders);
    Gauge.builder("strata.agent.uptime", this, m -> m.uptime().toMillis() / 1000.0)
        .strongReference(true)
        .baseUnit("seconds")
        .description("Seconds since the agent started")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    binders.forEach(b -> b.bindTo(registry));
  }

  Duration uptime() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** A server restarted by the supervisor. */
  void restarted(String instance) {
    Counter.builder("strata.agent.restarts")
        .description("Servers the agent restarted after they stopped")
        .tag("instance", instance)
        .register(registry)
        .increment();
  }

  /** A failed restart attempt. */
  void restartFailed(String instance) {
    Counter.builder("strata.agent.restart.failures")
        .description("Restart attempts that failed (retried with backoff)")
        .tag("instance", instance)
        .register(registry)
        .increment();
  }

  /** Whether an instance's process is alive, 1 or 0. */
  void watch(String instance, Supplier<Boolean> up) {
    // A gauge keeps its state weakly: the supplier would be collected and the gauge turn NaN.
    Gauge.builder("strata.agent.instance.up", up, u -> u.get() ? 1 : 0)
        .strongReference(true)
        .description("1 while the instance's server process runs")
        .tag("instance", instance)
        .register(registry);
  }

  /** One run of a job. */
  void jobRan(String job, boolean ok, long nanos) {
    Counter.builder("strata.agent.job.runs")
        .description("Scheduled job runs")
        .tag("job", job)
        .tag("result", ok ? "ok" : "failed")
        .register(registry)
        .increment();
    Timer.builder("strata.agent.job.duration")
        .description("How long scheduled jobs ran")
        .tag("job", job)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    for (MeterBinder b : binders) {
      if (b instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing at exit: a binder's own threads end with the JVM anyway.
        }
      }
    }
    registry.close();
  }
}
