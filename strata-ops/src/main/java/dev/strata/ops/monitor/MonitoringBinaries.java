package dev.strata.ops.monitor;

import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Binaries.Program;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Debian programs monitoring runs: the three exporters, Prometheus (with promtool) and
 * Alertmanager (with amtool). {@code strata up} installs the missing ones when monitoring is on.
 */
public final class MonitoringBinaries {
  static final Program POSTGRES_EXPORTER =
      new Program("prometheus-postgres-exporter", "prometheus-postgres-exporter");
  static final Program REDIS_EXPORTER =
      new Program("prometheus-redis-exporter", "prometheus-redis-exporter");
  static final Program PGBOUNCER_EXPORTER =
      new Program("prometheus-pgbouncer-exporter", "prometheus-pgbouncer-exporter");
  static final Program NODE_EXPORTER =
      new Program("prometheus-node-exporter", "prometheus-node-exporter");
  static final Program PROMETHEUS = new Program("prometheus", "prometheus");
  static final Program PROMTOOL = new Program("promtool", "prometheus");
  static final Program ALERTMANAGER =
      new Program("prometheus-alertmanager", "prometheus-alertmanager");
  static final Program AMTOOL = new Program("amtool", "prometheus-alertmanager");

  private static final List<Program> ALL =
      List.of(
          POSTGRES_EXPORTER,
          REDIS_EXPORTER,
          PGBOUNCER_EXPORTER,
          NODE_EXPORTER,
          PROMETHEUS,
          PROMTOOL,
          ALERTMANAGER,
          AMTOOL);

  private MonitoringBinaries() {}

  /**
   * Every monitoring program, installed in one apt run when {@code install} is set (and Strata runs
   * as root).
   *
   * @throws dev.strata.core.StrataException naming the missing packages and the install command
   */
  public static Map<String, Path> require(boolean install) {
    return Binaries.require(ALL, install);
  }

  /** One program, never installing. */
  static Path find(Program program) {
    return Binaries.require(List.of(program), false).get(program.name());
  }

  /** promtool, which checks and unit-tests rule files. */
  public static Path promtool(boolean install) {
    return Binaries.require(List.of(PROMTOOL), install).get(PROMTOOL.name());
  }
}
