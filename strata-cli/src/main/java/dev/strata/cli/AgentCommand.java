package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.StrataException;
import dev.strata.core.env.AgentAddress;
import dev.strata.core.env.StateDir;
import dev.strata.ops.agent.Agent;
import dev.strata.ops.agent.AgentProcess;
import dev.strata.ops.stack.Stack;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "agent",
    description = {
      "The stack's agent: restarts a crashed server, runs the schedules (backups, drills,"
          + " maintenance), serves /health, /metrics, /api/status and the dashboard.",
      "`strata up` starts it in the background (unless --no-agent or agent.enabled: false);"
          + " `strata down` stops it."
    },
    subcommands = {AgentCommand.Run.class, AgentCommand.Status.class, AgentCommand.Stop.class})
final class AgentCommand {
  @ParentCommand StrataCommand root;

  @Command(name = "run", description = "Runs the agent in the foreground until Ctrl-C or SIGTERM.")
  static final class Run implements Callable<Integer> {
    @ParentCommand AgentCommand agent;

    @Override
    public Integer call() throws InterruptedException {
      Workspace workspace = agent.root.workspace();
      StateDir dir = StateDir.of(workspace.dir());
      Optional<AgentAddress> running = AgentAddress.running(dir);
      if (running.isPresent() && running.get().pid() != ProcessHandle.current().pid()) {
        throw StrataException.environment(
            "an agent already runs for this stack (pid "
                + running.get().pid()
                + " at "
                + running.get().url()
                + ")",
            "stop it first: strata agent stop");
      }
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      Stack stack = workspace.stack(line -> out.println(line));
      if (!stack.created()) {
        throw StrataException.environment(
            "the stack in " + workspace.dir() + " has not been brought up",
            "run `strata up` first (it starts the agent too)");
      }
      Agent a = Agent.start(stack, out);
      Runtime.getRuntime().addShutdownHook(new Thread(a::close, "strata-agent-stop"));
      agent.root.err().println("agent running at " + a.url() + " (Ctrl-C stops it)");
      agent.root.err().flush();
      a.awaitStop();
      return 0;
    }
  }

  @Command(name = "status", description = "Shows the running agent: URL, supervision, schedules.")
  static final class Status implements Callable<Integer> {
    @ParentCommand AgentCommand agent;

    @Option(names = "--json", description = "Print the agent's /api/status JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException, InterruptedException {
      StateDir dir = StateDir.of(agent.root.workspace().dir());
      Optional<AgentAddress> running = AgentAddress.running(dir);
      if (running.isEmpty()) {
        agent
            .root
            .out()
            .println("no agent runs for this stack; `strata up` or `strata agent run` starts one");
        return 1;
      }
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(running.get().url() + "/api/status"))
                      .timeout(Duration.ofSeconds(20))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      if (json) {
        agent.root.out().println(body);
        return 0;
      }
      JsonNode s = new ObjectMapper().readTree(body);
      agent
          .root
          .out()
          .printf(
              "agent %s at %s, up %d s, maintenance window %s%n",
              s.path("agent").path("pid").asText(),
              running.get().url(),
              s.path("agent").path("uptime_seconds").asLong(),
              s.path("agent").path("maintenance_window").asText());
      Table instances = new Table("INSTANCE", "STATE", "PID", "RESTARTS", "LAST RESTART");
      for (JsonNode i : s.path("instances")) {
        instances.row(
            i.path("id").asText(),
            i.path("up").asBoolean() ? "running" : "down",
            i.path("pid").asText("-"),
            i.path("restarts").asText(),
            i.path("last_restart").isNull()
                ? "-"
                : i.path("last_restart").asText() + " (" + i.path("last_reason").asText() + ")");
      }
      instances.print(agent.root.out());
      Table jobs = new Table("JOB", "CRON", "NEXT RUN", "LAST RUN");
      for (JsonNode j : s.path("jobs")) {
        JsonNode last = j.path("last_run");
        jobs.row(
            j.path("job").asText(),
            j.path("cron").asText(),
            j.path("next_run").asText("-"),
            last.isNull() || last.isMissingNode()
                ? "-"
                : (last.path("ok").asBoolean() ? "ok " : "FAILED ") + last.path("start").asText());
      }
      jobs.print(agent.root.out());
      return 0;
    }
  }

  @Command(name = "stop", description = "Stops the running agent (the servers keep running).")
  static final class Stop implements Callable<Integer> {
    @ParentCommand AgentCommand agent;

    @Override
    public Integer call() {
      boolean was = AgentProcess.stop(StateDir.of(agent.root.workspace().dir()));
      agent.root.out().println(was ? "agent stopped" : "no agent was running");
      return 0;
    }
  }
}
