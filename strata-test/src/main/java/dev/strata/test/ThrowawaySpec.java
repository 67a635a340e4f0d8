package dev.strata.test;

import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Turns a test's strata.yaml into one for a throwaway stack: every port 0 (picked free, so test
 * stacks never collide with each other or a developer's stack) and PostgreSQL planned for 256 MB
 * unless the test says otherwise. The result is the stack's own strata.yaml, so the CLI run in
 * {@link StrataStack#home()} sees the same stack as the test.
 */
final class ThrowawaySpec {
  private ThrowawaySpec() {}

  static String rewrite(String yaml) {
    Map<String, Object> root = new Yaml().load(yaml);
    Map<String, Object> doc = root == null ? new LinkedHashMap<>() : new LinkedHashMap<>(root);
    section(doc, "postgres").put("port", 0);
    section(doc, "postgres").putIfAbsent("memory", "256mb");
    section(doc, "pooler").put("port", 0);
    // One PgBouncer process unless a test asks for more: a test's few clients do not need them.
    section(doc, "pooler").putIfAbsent("processes", 1);
    section(doc, "redis").put("port", 0);
    section(doc, "backup").putIfAbsent("enabled", false);
    // Monitoring (five more processes) only where a test asks for it; its ports always free.
    Map<String, Object> monitoring = section(doc, "monitoring");
    monitoring.putIfAbsent("enabled", false);
    for (String port :
        new String[] {
          "prometheus_port",
          "alertmanager_port",
          "postgres_exporter_port",
          "redis_exporter_port",
          "pgbouncer_exporter_port"
        }) {
      monitoring.put(port, 0);
    }
    // No agent for a throwaway stack unless the test asks: it supervises and samples in the
    // background, which a test stack does not need.
    section(doc, "agent").putIfAbsent("enabled", false);
    // A throwaway cluster need not survive a power cut: no fsync, no waiting for the WAL flush, no
    // full-page images. This makes CREATE DATABASE and every commit cheap (a test asks otherwise
    // by setting these itself).
    Map<String, Object> settings = section(section(doc, "postgres"), "settings");
    settings.putIfAbsent("fsync", "off");
    settings.putIfAbsent("synchronous_commit", "off");
    settings.putIfAbsent("full_page_writes", "off");
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return "# strata.yaml of a throwaway test stack (written by strata-test)\n"
        + new Yaml(options).dump(doc);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> doc, String name) {
    Object section = doc.get(name);
    Map<String, Object> map =
        section instanceof Map<?, ?> m
            ? new LinkedHashMap<>((Map<String, Object>) m)
            : new LinkedHashMap<>();
    doc.put(name, map);
    return map;
  }
}
