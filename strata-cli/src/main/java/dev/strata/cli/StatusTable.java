package dev.strata.cli;

import dev.strata.ops.stack.ComponentStatus;
import java.io.PrintWriter;
import java.util.List;

/** The component / endpoint / state / version table of {@code strata up} and {@code status}. */
final class StatusTable {
  private StatusTable() {}

  static void print(List<ComponentStatus> rows, PrintWriter out) {
    Table table = new Table("COMPONENT", "ENDPOINT", "STATE", "VERSION", "PID");
    for (ComponentStatus s : rows) {
      table.row(
          s.component().key(),
          s.endpoint(),
          s.state(),
          s.version().orElse("-"),
          s.pid().map(String::valueOf).orElse("-"));
    }
    table.print(out);
  }
}
