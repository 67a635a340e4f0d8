package dev.strata.ops.backup;

import dev.strata.ops.stack.Stack;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The backup meters of the agent's {@code /metrics}: the age of the last backup, whether the last
 * backup attempt and the last drill succeeded, the last drill's restore time (RTO), the archive lag
 * (RPO) and whether WAL archiving is failing. A value that is unknown (no backup yet, PostgreSQL
 * down) is NaN, which Prometheus shows as absent data rather than a false zero. One scrape reads
 * the state once ({@link BackupStatus}); it is reused for a few seconds so the gauges of one scrape
 * do not each run pgBackRest.
 */
public final class BackupMetrics implements MeterBinder {
  private static final Duration REUSE = Duration.ofSeconds(5);

  private final Stack stack;
  private volatile Map<String, Object> state;
  private volatile Instant readAt = Instant.EPOCH;

  public BackupMetrics(Stack stack) {
    this.stack = stack;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(
        registry,
        "strata_backup_age_seconds",
        "Seconds since the last PostgreSQL backup ended",
        m -> number(sub(m, "last_backup").get("age_s")));
    gauge(
        registry,
        "strata_backup_last_success",
        "1 when the last backup attempt succeeded, 0 when it failed",
        m -> flag("ok".equals(sub(m, "last_attempt").get("result")), sub(m, "last_attempt")));
    gauge(
        registry,
        "strata_backup_drill_last_success",
        "1 when the last restore drill passed, 0 when it failed",
        m -> flag(Boolean.TRUE.equals(sub(m, "last_drill").get("ok")), sub(m, "last_drill")));
    gauge(
        registry,
        "strata_backup_drill_rto_seconds",
        "The restore time (RTO) the last drill measured",
        m -> number(sub(m, "last_drill").get("rto_ms")) / 1000.0);
    gauge(
        registry,
        "strata_backup_archive_lag_seconds",
        "Seconds since PostgreSQL last archived a WAL segment (the RPO)",
        m -> number(m.get("archive_lag_s")));
    gauge(
        registry,
        "strata_backup_archive_failing",
        "1 while WAL archiving fails (the repository is unwritable or unreachable)",
        m ->
            "unknown".equals(m.get("archiving"))
                ? Double.NaN
                : "failing".equals(m.get("archiving")) ? 1 : 0);
  }

  private void gauge(
      MeterRegistry registry, String name, String help, ToDoubleFunction<Map<String, Object>> f) {
    Gauge.builder(name, this, self -> f.applyAsDouble(self.state()))
        .description(help)
        .register(registry);
  }

  private Map<String, Object> state() {
    Map<String, Object> s = state;
    if (s == null || Instant.now().isAfter(readAt.plus(REUSE))) {
      try {
        s = stack.spec().backup().enabled() ? BackupStatus.of(stack.context()) : Map.of();
      } catch (RuntimeException e) {
        s = Map.of(); // unknown: every gauge reads NaN until the stack answers again
      }
      state = s;
      readAt = Instant.now();
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> sub(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  private static double number(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static double flag(boolean value, Map<String, Object> present) {
    return present.isEmpty() ? Double.NaN : value ? 1 : 0;
  }
}
