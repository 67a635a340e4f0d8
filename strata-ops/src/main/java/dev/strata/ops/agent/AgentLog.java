package dev.strata.ops.agent;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The agent's log: one timestamped line per event on its standard output, which {@code strata up}
 * sends to {@code .strata/agent/agent.log}.
 */
final class AgentLog {
  private final PrintStream out;

  AgentLog(PrintStream out) {
    this.out = out;
  }

  synchronized void info(String line) {
    out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + line);
    out.flush();
  }

  void warn(String line) {
    info("WARN " + line);
  }
}
