package dev.strata.ops.monitor;

import dev.strata.core.topology.Instance;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;

/** The monitoring components, by kind: what {@code StackPlan} runs for each monitoring instance. */
public final class Monitoring {
  private Monitoring() {}

  /** The component that runs {@code instance}, one of the monitoring kinds. */
  public static Component component(ComponentContext context, Instance instance) {
    return switch (instance.kind()) {
      case PG_EXPORTER -> new PostgresExporter(context, instance);
      case REDIS_EXPORTER -> new RedisExporter(context, instance);
      case PGBOUNCER_EXPORTER -> new PgBouncerExporter(context, instance);
      case NODE_EXPORTER -> new NodeExporter(context, instance);
      case PROMETHEUS -> new PrometheusServer(context, instance);
      case ALERTMANAGER -> new AlertmanagerServer(context, instance);
      default -> throw new IllegalArgumentException("not a monitoring instance: " + instance.id());
    };
  }
}
