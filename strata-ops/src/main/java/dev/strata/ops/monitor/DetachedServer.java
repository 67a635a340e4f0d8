package dev.strata.ops.monitor;

import dev.strata.core.topology.Instance;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.Binaries.Program;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A monitoring server that runs in the foreground (every exporter, Prometheus, Alertmanager): it is
 * started detached in its own session, with its output appended to its log and its pid in a file,
 * as the servers' OS user. Healthy when its HTTP endpoint answers 200. Secrets reach it through the
 * environment, never its command line.
 */
abstract class DetachedServer implements Component {
  private static final Pattern VERSION =
      Pattern.compile("(?i)(?:version|exporter) v?(\\d[^\\s,]*)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  protected final ComponentContext context;
  protected final Instance instance;
  protected final Path dir;
  private final RunAs runAs;
  private final Program program;
  private boolean changed;

  DetachedServer(ComponentContext context, Instance instance, Program program) {
    this.context = context;
    this.instance = instance;
    this.dir = context.folder(instance);
    this.runAs = context.runAs();
    this.program = program;
  }

  /** The files it reads, by name in its folder, with their content. */
  protected abstract Map<String, String> files();

  /** Its arguments after the program. */
  protected abstract List<String> arguments();

  /** The environment it needs beyond the inherited one (passwords). */
  protected Map<String, String> environment() {
    return Map.of();
  }

  /** The program that runs, as a command line prefix (a launcher script may stand before it). */
  protected List<String> program() {
    return List.of(MonitoringBinaries.find(program).toString());
  }

  /** The process name the kernel keeps for it, to tell a stale pid file from a live server. */
  protected String processName() {
    return Path.of(program.name()).getFileName().toString();
  }

  /** The path that answers 200 when it is up. */
  protected abstract String healthPath();

  @Override
  public Instance instance() {
    return instance;
  }

  @Override
  public List<PortClaim> ports() {
    return List.of(
        new PortClaim(instance.port(), dev.strata.core.topology.Topology.portKey(instance)));
  }

  @Override
  public Path log() {
    return dir.resolve(instance.kind().key() + ".log");
  }

  private PidFile pidFile() {
    return new PidFile(dir.resolve(instance.kind().key() + ".pid"), processName());
  }

  @Override
  public Optional<ProcessHandle> process() {
    return pidFile().process();
  }

  /** Its base URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://" + instance.endpoint();
  }

  @Override
  public boolean render() {
    ConfigFiles.createDirectories(dir);
    boolean any = false;
    for (Map.Entry<String, String> f : files().entrySet()) {
      Path file = dir.resolve(f.getKey());
      ConfigFiles.createDirectories(file.getParent());
      any |= ConfigFiles.write(file, f.getValue(), "rw-------");
    }
    runAs.give(dir);
    changed = any;
    return any;
  }

  @Override
  public boolean start() {
    render();
    if (running()) {
      if (changed) {
        reload();
      }
      return false;
    }
    long logStart = Logs.size(log());
    Exec.Result r = launch();
    if (!r.ok() || !Wait.until(this::healthy, Duration.ofSeconds(30))) {
      String why =
          r.ok()
              ? "it does not answer http://" + instance.endpoint() + healthPath()
              : r.describeFailure();
      stop();
      throw Logs.startFailure(
          instance.kind().displayName(),
          why,
          log(),
          logStart,
          "fix the cause above and run strata up again (or set monitoring.enabled: false)");
    }
    return true;
  }

  /**
   * Starts it in a new session (so it outlives the strata command), appending its output to its
   * log. The shell's {@code $!} is the server itself: setsid execs it in place.
   */
  private Exec.Result launch() {
    List<String> command =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "log=$1; pid=$2; shift 2; setsid \"$@\" >>\"$log\" 2>&1 </dev/null & echo $! >\"$pid\"",
                "sh",
                log().toString(),
                pidFile().file().toString()));
    command.addAll(program());
    command.addAll(arguments());
    Exec exec = Exec.of(runAs.wrap(command)).workDir(dir).timeout(Duration.ofSeconds(10));
    for (Map.Entry<String, String> e : environment().entrySet()) {
      exec = exec.env(e.getKey(), e.getValue());
    }
    return exec.run();
  }

  /** Restarts it: an exporter reads its settings only when it starts. */
  @Override
  public void reload() {
    stop();
    start();
  }

  /** Sends SIGHUP, on which Prometheus and Alertmanager re-read their files. */
  protected void hangUp() {
    process().ifPresent(p -> Exec.of("kill", "-HUP", Long.toString(p.pid())).run());
  }

  @Override
  public void stop() {
    pidFile().terminate(Duration.ofSeconds(20));
  }

  @Override
  public boolean healthy() {
    return running() && get(healthPath()).map(r -> r.statusCode() == 200).orElse(false);
  }

  /** A GET of {@code path} on the server, empty when it does not answer. */
  Optional<HttpResponse<String>> get(String path) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10)).build();
      return Optional.of(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public Optional<String> version() {
    if (!running()) {
      return Optional.empty();
    }
    Exec.Result r = Exec.of(versionCommand()).timeout(Duration.ofSeconds(10)).run();
    Matcher m = VERSION.matcher(r.output());
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The command that prints its version. */
  protected List<String> versionCommand() {
    List<String> command = new ArrayList<>(program());
    command.add("--version");
    return command;
  }
}
