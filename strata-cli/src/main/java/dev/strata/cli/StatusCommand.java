package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.ops.stack.ComponentStatus;
import java.io.UncheckedIOException;
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
        "Shows each server: endpoint, state, version, pid. Exits 0 when all run, 1 when one does not.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<ComponentStatus> status = root.workspace().stack().status();
    if (json) {
      root.out().println(toJson(status));
      root.out().flush();
    } else {
      StatusTable.print(status, root.out());
    }
    return status.stream().allMatch(s -> s.state().equals("running")) ? 0 : 1;
  }

  private static String toJson(List<ComponentStatus> status) {
    Map<String, Object> doc = new LinkedHashMap<>();
    for (ComponentStatus s : status) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("endpoint", s.endpoint());
      c.put("state", s.state());
      c.put("version", s.version().orElse(null));
      c.put("pid", s.pid().orElse(null));
      doc.put(s.component().key(), c);
    }
    try {
      return new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(Map.of("components", doc));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
