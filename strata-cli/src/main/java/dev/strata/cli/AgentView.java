package dev.strata.cli;

import dev.strata.core.env.AgentAddress;
import dev.strata.core.env.StateDir;
import dev.strata.ops.agent.Supervision;
import dev.strata.ops.stack.ComponentStatus;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agent in {@code strata status}: its URL, and each instance's restarts as details. */
final class AgentView {
  private AgentView() {}

  /** Each row with the agent's restarts of it appended to its details. */
  static List<ComponentStatus> withRestarts(List<ComponentStatus> rows, StateDir dir) {
    return rows.stream()
        .map(
            s -> {
              Map<String, String> restarts = Supervision.details(dir, s.id());
              if (restarts.isEmpty()) {
                return s;
              }
              Map<String, String> details = new LinkedHashMap<>(s.details());
              details.putAll(restarts);
              return new ComponentStatus(
                  s.instance(), s.state(), s.version(), s.pid(), s.pendingRestart(), details);
            })
        .toList();
  }

  static void print(StateDir dir, PrintWriter out) {
    Optional<AgentAddress> agent = AgentAddress.running(dir);
    out.println(
        agent
            .map(a -> "agent: " + a.url() + " (pid " + a.pid() + "; dashboard at " + a.url() + "/)")
            .orElse("agent: not running (strata up or strata agent run starts it)"));
  }

  /** {@code {"url", "pid"}} of the running agent, both null when none runs. */
  static Map<String, Object> json(StateDir dir) {
    Map<String, Object> m = new LinkedHashMap<>();
    Optional<AgentAddress> agent = AgentAddress.running(dir);
    m.put("url", agent.map(AgentAddress::url).orElse(null));
    m.put("pid", agent.map(AgentAddress::pid).orElse(null));
    return m;
  }
}
