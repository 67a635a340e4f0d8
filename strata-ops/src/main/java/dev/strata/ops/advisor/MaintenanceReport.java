package dev.strata.ops.advisor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of {@code strata maintain} found and did.
 *
 * @param dryRun whether nothing was changed
 * @param apply whether duplicate and unused indexes were to be dropped
 */
public record MaintenanceReport(
    Instant at, boolean dryRun, boolean apply, List<MaintenanceAction> actions) {

  public MaintenanceReport {
    actions = List.copyOf(actions);
  }

  /** Whether an action failed. */
  public boolean failed() {
    return actions.stream().anyMatch(a -> a.outcome() == MaintenanceAction.Outcome.FAILED);
  }

  /** The actions of one kind. */
  public List<MaintenanceAction> actions(String kind) {
    return actions.stream().filter(a -> a.kind().equals(kind)).toList();
  }

  /** The report as JSON. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", at.toString());
    m.put("dry_run", dryRun);
    m.put("apply", apply);
    m.put("failed", failed());
    m.put("actions", actions.stream().map(MaintenanceAction::toMap).toList());
    return m;
  }
}
