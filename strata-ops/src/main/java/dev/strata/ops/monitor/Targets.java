package dev.strata.ops.monitor;

import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scrape targets of the stack's own monitoring servers, in Prometheus's file_sd format: {@code
 * [{"targets": ["127.0.0.1:PORT"], "labels": {"job": "…", "instance": "…"}}]}. The {@code instance}
 * label is the server an exporter watches ({@code redis-1}), so alerts name the server, not the
 * exporter's port.
 */
final class Targets {
  private static final Map<Kind, Kind> WATCHES =
      Map.of(
          Kind.PG_EXPORTER, Kind.POSTGRES,
          Kind.REDIS_EXPORTER, Kind.REDIS,
          Kind.PGBOUNCER_EXPORTER, Kind.POOLER);
  private static final Map<Kind, String> JOBS =
      Map.of(
          Kind.PG_EXPORTER, "postgres",
          Kind.REDIS_EXPORTER, "redis",
          Kind.PGBOUNCER_EXPORTER, "pgbouncer",
          Kind.NODE_EXPORTER, "node",
          Kind.PROMETHEUS, "prometheus",
          Kind.ALERTMANAGER, "alertmanager");

  private Targets() {}

  static String json(Topology topology) {
    List<String> entries = new ArrayList<>();
    for (Instance i : topology.instances()) {
      String job = JOBS.get(i.kind());
      if (job == null) {
        continue;
      }
      Kind watched = WATCHES.get(i.kind());
      String name = watched == null ? i.id() : topology.first(watched).id();
      entries.add(
          "  {\"targets\": [\""
              + i.endpoint()
              + "\"], \"labels\": {\"job\": \""
              + job
              + "\", \"instance\": \""
              + name
              + "\"}}");
    }
    return "[\n" + String.join(",\n", entries) + "\n]\n";
  }
}
