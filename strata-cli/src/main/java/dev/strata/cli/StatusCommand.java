package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.core.env.StateDir;
import dev.strata.ops.stack.ComponentStatus;
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
    StateDir dir = StateDir.of(root.workspace().dir());
    List<ComponentStatus> status = AgentView.withRestarts(root.workspace().stack().status(), dir);
    if (json) {
      root.out().println(toJson(status, AgentView.json(dir)));
      root.out().flush();
    } else {
      StatusTable.print(status, root.out());
      AgentView.print(dir, root.out());
    }
    return status.stream().allMatch(ComponentStatus::running) ? 0 : 1;
  }

  /** {@code {"instances": [{"id", "kind", "role", "host", "port", "endpoint", "state", ...}]}}. */
  private static Map<String, Object> document(
      List<Map<String, Object>> instances, Map<String, Object> agent) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("instances", instances);
    doc.put("agent", agent);
    return doc;
  }

  private static String toJson(List<ComponentStatus> status, Map<String, Object> agent) {
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
    try {
      return new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(document(instances, agent));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
