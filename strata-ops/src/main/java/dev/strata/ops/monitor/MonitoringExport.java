package dev.strata.ops.monitor;

import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.process.ConfigFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code strata alerts export}: the stack's rule files (with their promtool tests), its
 * alertmanager.yml and a Grafana dashboard, for a Prometheus of the user's own. The rules expect
 * the exporters' jobs to be named {@code postgres}, {@code redis} and {@code pgbouncer}.
 */
public final class MonitoringExport {
  private MonitoringExport() {}

  /** The files, by name. alertmanager.yml holds the receivers' URLs and keys. */
  public static Map<String, String> files(StrataSpec spec) {
    List<Rule> rules = AlertRules.of(spec);
    Map<String, String> files = new LinkedHashMap<>();
    files.put("strata.rules.yml", RuleFiles.rules(rules));
    files.put("strata.rules.test.yml", RuleFiles.tests(rules, "strata.rules.yml"));
    files.put("alertmanager.yml", AlertmanagerConfig.render(spec.alerts()));
    files.put("grafana-dashboard.json", GrafanaDashboard.json());
    return files;
  }

  /**
   * Writes the files into {@code dir} (created if missing), each readable by its owner only: the
   * Alertmanager configuration carries secrets.
   *
   * @return the paths written
   */
  public static List<Path> write(StrataSpec spec, Path dir) {
    ConfigFiles.createDirectories(dir);
    return files(spec).entrySet().stream()
        .map(
            f -> {
              Path file = dir.resolve(f.getKey());
              ConfigFiles.write(file, f.getValue(), "rw-------");
              return file;
            })
        .toList();
  }
}
