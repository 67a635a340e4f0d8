package dev.strata.cli;

import dev.strata.ops.stack.ComponentStatus;
import java.io.PrintWriter;
import java.util.List;

/**
 * The instance / role / endpoint / state / version table of {@code strata up} and {@code status}.
 */
final class StatusTable {
  private StatusTable() {}

  static void print(List<ComponentStatus> rows, PrintWriter out) {
    Table table = new Table("INSTANCE", "KIND", "ROLE", "ENDPOINT", "STATE", "VERSION", "PID");
    for (ComponentStatus s : rows) {
      table.row(
          s.id(),
          s.kind().displayName(),
          s.role(),
          s.endpoint(),
          s.state() + (s.pendingRestart().isEmpty() ? "" : " (restart pending)"),
          s.version().orElse("-"),
          s.pid().map(String::valueOf).orElse("-"));
    }
    table.print(out);
    for (ComponentStatus s : rows) {
      if (!s.details().isEmpty()) {
        StringBuilder line = new StringBuilder(s.id()).append(':');
        s.details().forEach((k, v) -> line.append(' ').append(k).append(' ').append(v).append(';'));
        out.println(line.substring(0, line.length() - 1));
      }
    }
    for (ComponentStatus s : rows) {
      if (!s.pendingRestart().isEmpty()) {
        out.println(
            s.id()
                + " takes on restart: "
                + String.join("; ", s.pendingRestart())
                + " (strata up --restart)");
      }
    }
  }
}
