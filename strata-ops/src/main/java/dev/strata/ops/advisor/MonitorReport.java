package dev.strata.ops.advisor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@code strata monitor} reports: every section with its verdict, at one instant. */
public record MonitorReport(Instant at, List<Section> sections) {

  public MonitorReport {
    sections = List.copyOf(sections);
  }

  /** The worst verdict of all sections. */
  public Verdict verdict() {
    return sections.stream().map(Section::verdict).reduce(Verdict.OK, Verdict::worst);
  }

  /** The section named {@code name}, if the report has it. */
  public Optional<Section> section(String name) {
    return sections.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Every finding of every section. */
  public List<Finding> findings() {
    return sections.stream().flatMap(s -> s.findings().stream()).toList();
  }

  /** The report as JSON: {@code {"at", "verdict", "sections": [...]}}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", at.toString());
    m.put("verdict", verdict().label());
    List<Map<String, Object>> s = new ArrayList<>();
    sections.forEach(x -> s.add(x.toMap()));
    m.put("sections", s);
    return m;
  }
}
