package dev.strata.ops.agent;

import java.util.Map;

/** What {@link AgentHttp} serves: the agent's answers, apart from how they travel. */
interface AgentApi {
  /** {@code ok} (whether every instance runs) and the ones down. */
  Map<String, Object> health();

  /** Everything the dashboard shows but the charts. */
  Map<String, Object> status();

  /** The charts of the last {@code hours}. */
  Map<String, Object> history(double hours);

  /** The Prometheus text exposition of {@code /metrics}. */
  String scrape();
}
