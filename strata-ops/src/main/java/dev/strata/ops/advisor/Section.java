package dev.strata.ops.advisor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One part of the report ({@code connections}, {@code slow_queries}, {@code redis}…): its judged
 * findings and the rows it shows (the slow statements, the largest tables), each row a map of
 * column to value.
 */
public record Section(String name, List<Finding> findings, List<Map<String, Object>> rows) {

  public Section {
    findings = List.copyOf(findings);
    rows = List.copyOf(rows);
  }

  /** The worst verdict of its findings; ok without any. */
  public Verdict verdict() {
    return findings.stream().map(Finding::verdict).reduce(Verdict.OK, Verdict::worst);
  }

  /** A section whose check could not run: critical, with the reason. */
  static Section failed(String name, String subject, Exception e) {
    return new Section(
        name,
        List.of(
            new Finding(
                name,
                subject,
                Verdict.CRITICAL,
                "check failed",
                "",
                String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    + " (is the server up? `strata status`)")),
        List.of());
  }

  /** The section as JSON. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("verdict", verdict().label());
    List<Map<String, Object>> f = new ArrayList<>();
    findings.forEach(x -> f.add(x.toMap()));
    m.put("findings", f);
    m.put("rows", rows);
    return m;
  }
}
