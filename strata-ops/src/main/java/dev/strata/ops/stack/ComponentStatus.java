package dev.strata.ops.stack;

import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One row of {@code strata status}: an instance as it really is.
 *
 * @param instance the instance, with the port its live server listens on
 * @param state {@code running}, {@code stopped} or {@code not created}
 * @param pendingRestart changes the running server takes only after {@code strata up --restart}
 * @param details what the live component reports beyond its state (role, timeline, lag), in order
 */
public record ComponentStatus(
    Instance instance,
    String state,
    Optional<String> version,
    Optional<Long> pid,
    List<String> pendingRestart,
    Map<String, String> details) {

  public String id() {
    return instance.id();
  }

  public Kind kind() {
    return instance.kind();
  }

  public String role() {
    return instance.role();
  }

  public String endpoint() {
    return instance.endpoint();
  }

  public boolean running() {
    return state.equals("running");
  }
}
