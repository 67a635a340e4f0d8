package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.core.env.StateDir;
import dev.strata.ops.backup.BackupStatus;
import dev.strata.ops.stack.ComponentStatus;
import dev.strata.ops.stack.Stack;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "status",
    description =
        "Shows each instance: kind, role, endpoint, state, version, pid. Exits 0 when all run, 1"
            + " when one does not.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Stack stack = root.workspace().stack();
    StateDir dir = StateDir.of(root.workspace().dir());
    List<ComponentStatus> status = AgentView.withRestarts(stack.status(), dir);
    // The RPO, the last backup and the last drill (RTO): read beside the servers, never failing.
    Map<String, Object> backup =
        stack.created() && stack.spec().backup().enabled()
            ? BackupStatus.of(stack.context())
            : null;
    if (json) {
      root.out().println(toJson(status, AgentView.json(dir), backup));
      root.out().flush();
    } else {
      StatusTable.print(status, root.out());
      if (backup != null) {
        BackupStatus.lines(backup).forEach(root.out()::println);
      }
      AgentView.print(dir, root.out());
      root.out().flush();
    }
    return status.stream().allMatch(ComponentStatus::running) ? 0 : 1;
  }

  /**
   * {@code {"instances": [{"id", "kind", "role", "host", "port", "endpoint", "state", ...}],
   * "agent": {...}, "backup": {...}}}; agent is null when none runs, backup when backups are off.
   */
  private static String toJson(
      List<ComponentStatus> status, Map<String, Object> agent, Map<String, Object> backup) {
    List<Map<String, Object>> instances = new ArrayList<>();
    for (ComponentStatus s : status) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("id", s.id());
      c.put("kind", s.kind().key());
      c.put("role", s.role());
      c.put("host", s.instance().host());
      c.put("port", s.instance().port());
      c.put("endpoint", s.endpoint());
      c.put("state", s.state());
      c.put("version", s.version().orElse(null));
      c.put("pid", s.pid().orElse(null));
      c.put("pending_restart", s.pendingRestart());
      c.put("details", s.details());
      instances.add(c);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("instances", instances);
    doc.put("agent", agent);
    doc.put("backup", backup);
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
