package dev.strata.ops.agent;

import dev.strata.core.spec.AgentSpec;
import dev.strata.core.topology.Instance;
import dev.strata.ops.backup.Heartbeat;
import dev.strata.ops.stack.Stack;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One stack's agent: the {@link Supervisor} that restarts a crashed server, the {@link Scheduler}
 * of the jobs {@link AgentHooks} lists, the heartbeat row, the sampled {@link History}, and {@link
 * AgentHttp}. {@code strata agent run} runs it in the foreground; {@code strata up} starts that
 * detached. While it runs {@code .strata/agent/agent.properties} names its pid and URL.
 */
public final class Agent implements AgentApi, AutoCloseable {
  private final Stack stack;
  private final AgentSpec spec;
  private final AgentLog log;
  private final AgentMetrics metrics;
  private final Supervisor supervisor;
  private final Scheduler scheduler;
  private final MonitorConnections connections;
  private final History history;
  private final Insights insights;
  private final PrometheusApi api = new PrometheusApi();
  private final AgentHttp http;
  private final String url;
  private final Instant started = Instant.now();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ScheduledExecutorService loops =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "strata-agent");
            t.setDaemon(true);
            return t;
          });
  private volatile String heartbeatProblem = "";

  // pgjdbc warns at every admin-console connection that PgBouncer's version is not PostgreSQL's;
  // held here so the setting is not collected with the logger.
  private static final java.util.logging.Logger PGJDBC =
      java.util.logging.Logger.getLogger("org.postgresql");

  private Agent(Stack stack, PrintStream out) throws IOException {
    this.stack = stack;
    this.spec = stack.spec().agent();
    this.log = new AgentLog(out);
    this.metrics = new AgentMetrics(AgentHooks.binders(stack));
    this.supervisor = new Supervisor(stack, spec.restartBackoffMax(), metrics, log);
    this.scheduler =
        new Scheduler(
            AgentHooks.jobs(stack),
            spec.maintenanceWindow(),
            new JobContext(stack, log::info),
            metrics,
            log);
    this.connections = new MonitorConnections(stack);
    this.history = new History(connections, log);
    this.insights = new Insights(stack, connections, api, metrics.registry());
    String bind = spec.bind();
    boolean loopback = bind.startsWith("127.") || bind.equals("::1") || bind.equals("localhost");
    Optional<String> token =
        loopback
            ? Optional.empty()
            : Optional.of(
                dev.strata.core.secret.Secrets.open(stack.stateDir().secretsFile())
                    .get("agent/token"));
    int port = AgentFiles.port(stack.stateDir(), bind, spec.port());
    this.http = new AgentHttp(bind, port, token, this);
    String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
    this.url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port();
  }

  /**
   * Starts the agent of {@code stack}, logging to {@code out}.
   *
   * @throws UncheckedIOException when its port cannot be bound
   */
  public static Agent start(Stack stack, PrintStream out) {
    Agent agent;
    try {
      agent = new Agent(stack, out);
    } catch (IOException e) {
      throw dev.strata.core.StrataException.environment(
          "the agent cannot listen on " + stack.spec().agent().bind() + ": " + e.getMessage(),
          "set agent.port to a free port (or 0) in strata.yaml");
    }
    agent.begin();
    return agent;
  }

  private void begin() {
    PGJDBC.setLevel(java.util.logging.Level.SEVERE);
    http.start();
    long pid = ProcessHandle.current().pid();
    AgentFiles.running(stack.stateDir(), pid, url);
    AgentFiles.prometheusTarget(
        stack.stateDir(), url.replaceAll("^http://\\[?|\\]?:\\d+$", ""), http.port());
    scheduler.start();
    long check = Math.max(100, spec.checkInterval().toMillis());
    loops.scheduleWithFixedDelay(this::superviseOnce, check, check, TimeUnit.MILLISECONDS);
    long sample = Math.max(1000, spec.sampleInterval().toMillis());
    loops.scheduleWithFixedDelay(history::sample, 0, sample, TimeUnit.MILLISECONDS);
    Duration beat = spec.heartbeat();
    if (stack.spec().backup().enabled() && !beat.isZero()) {
      loops.scheduleWithFixedDelay(
          this::heartbeat, beat.toMillis(), beat.toMillis(), TimeUnit.MILLISECONDS);
    }
    log.info(
        "agent "
            + pid
            + " supervising "
            + supervisor.snapshot().stream().map(InstanceHealth::id).toList()
            + " at "
            + url
            + "; jobs: "
            + scheduler.status().stream()
                .map(j -> j.get("job") + " (" + j.get("cron") + ")")
                .toList());
  }

  private void superviseOnce() {
    try {
      supervisor.check();
    } catch (RuntimeException e) {
      log.warn("supervision round failed: " + e.getMessage());
    }
  }

  private void heartbeat() {
    try {
      Heartbeat.beat(stack.context(), "agent");
      heartbeatProblem = "";
    } catch (RuntimeException e) {
      String m = String.valueOf(e.getMessage());
      if (!m.equals(heartbeatProblem)) {
        log.warn("heartbeat: " + m);
        heartbeatProblem = m;
      }
    }
  }

  /** Blocks until {@link #close()} (a SIGTERM, {@code strata agent stop}, {@code strata down}). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** The agent's HTTP base URL. */
  public String url() {
    return url;
  }

  AgentMetrics metrics() {
    return metrics;
  }

  /** Runs one scheduled job now (by name); for tests and {@code strata agent}. */
  Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public String scrape() {
    return metrics.scrape();
  }

  /** {@code ok} when every instance runs, and which do not. */
  @Override
  public Map<String, Object> health() {
    List<String> down =
        supervisor.snapshot().stream().filter(h -> !h.up()).map(InstanceHealth::id).toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", down.isEmpty());
    m.put("status", down.isEmpty() ? "ok" : "degraded");
    m.put("down", down);
    m.put("uptime_seconds", metrics.uptime().toSeconds());
    return m;
  }

  /** Everything the dashboard shows but the charts. */
  @Override
  public Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("project", stack.projectDir().toString());
    Map<String, Object> agent = new LinkedHashMap<>();
    agent.put("pid", ProcessHandle.current().pid());
    agent.put("url", url);
    agent.put("started", started.toString());
    agent.put("uptime_seconds", metrics.uptime().toSeconds());
    agent.put("maintenance_window", spec.maintenanceWindow().toString());
    m.put("agent", agent);
    m.put("instances", instances());
    m.put("jobs", scheduler.status());
    m.put("history", scheduler.history().stream().limit(20).map(JobRun::toMap).toList());
    Optional<String> prometheus = monitoringUrl("PROMETHEUS_URL");
    Optional<String> alertmanager = monitoringUrl("ALERTMANAGER_URL");
    Map<String, Object> monitoring = new LinkedHashMap<>();
    monitoring.put("prometheus", prometheus.orElse(null));
    monitoring.put("alertmanager", alertmanager.orElse(null));
    m.put("monitoring", monitoring);
    m.put("slow_queries", insights.slowQueries());
    m.put("sizes", insights.sizes());
    m.put("backups", insights.backups());
    m.put("alerts", insights.alerts(alertmanager, prometheus));
    m.put("findings", insights.findings());
    return m;
  }

  private List<Map<String, Object>> instances() {
    Map<String, Instance> topology = new LinkedHashMap<>();
    stack.topology().instances().forEach(i -> topology.put(i.id(), i));
    List<Map<String, Object>> out = new ArrayList<>();
    for (InstanceHealth h : supervisor.snapshot()) {
      Map<String, Object> row = new LinkedHashMap<>();
      Instance i = topology.get(h.id());
      row.put("id", h.id());
      row.put("kind", i == null ? null : i.kind().displayName());
      row.put("role", i == null ? null : i.role());
      row.put("endpoint", i == null ? null : i.endpoint());
      h.toMap()
          .forEach(
              (k, v) -> {
                if (!k.equals("id")) {
                  row.put(k, v);
                }
              });
      out.add(row);
    }
    return out;
  }

  /** The charts of the last {@code hours}: from Prometheus when it runs, else the agent's own. */
  @Override
  public Map<String, Object> history(double hours) {
    long end = Instant.now().getEpochSecond();
    long start = end - (long) (hours * 3600);
    Optional<String> prometheus = monitoringUrl("PROMETHEUS_URL");
    String source = "agent";
    Map<String, List<double[]>> points = null;
    if (prometheus.isPresent()) {
      try {
        long step = Math.max(15, (end - start) / 240);
        points = new LinkedHashMap<>();
        for (Chart c : Chart.ALL) {
          points.put(c.id(), api.range(prometheus.get(), c.promql(), start, end, step));
        }
        source = "prometheus";
      } catch (IOException | RuntimeException e) {
        source = "agent (Prometheus did not answer: " + e.getMessage() + ")";
        points = null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        points = null;
      }
    }
    if (points == null) {
      points = history.since(start);
    }
    List<Map<String, Object>> charts = new ArrayList<>();
    for (Chart c : Chart.ALL) {
      Map<String, Object> chart = new LinkedHashMap<>();
      chart.put("id", c.id());
      chart.put("title", c.title());
      chart.put("unit", c.unit());
      chart.put("points", points.getOrDefault(c.id(), List.of()));
      charts.add(chart);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", source);
    m.put("start", start);
    m.put("end", end);
    m.put("charts", charts);
    return m;
  }

  /** A monitoring URL: the agent's environment first, then what {@code strata env} would print. */
  private Optional<String> monitoringUrl(String name) {
    String fromEnv = System.getenv(name);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(fromEnv);
    }
    try {
      return Optional.ofNullable(stack.env().variables().get(name));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (stopped.getCount() == 0) {
      return;
    }
    log.info("agent stopping");
    loops.shutdownNow();
    scheduler.close();
    http.close();
    connections.close();
    metrics.close();
    AgentFiles.stopped(stack.stateDir(), ProcessHandle.current().pid());
    stopped.countDown();
  }
}
