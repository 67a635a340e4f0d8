package dev.strata.core.spec;

import dev.strata.core.schedule.Cron;
import dev.strata.core.schedule.MaintenanceWindow;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code agent} section: the process {@code strata up} starts beside the servers, which
 * restarts a crashed one, runs the schedules and serves {@code /health}, {@code /metrics}, a JSON
 * status and the dashboard. Built from the validated {@link Values} by key.
 */
public final class AgentSpec extends KeyedSpec {

  public static final Key<Boolean> ENABLED =
      Key.of(
          "enabled",
          Types.bool(),
          true,
          "Start the agent with strata up (supervision, schedules, /metrics, the dashboard);"
              + " strata up --no-agent skips it once.");
  public static final Key<Integer> PORT =
      Key.of(
          "port",
          Types.port(),
          0,
          "The agent's HTTP port; 0 picks a free one at the first start and keeps it.");
  public static final Key<String> BIND =
      Key.of(
          "bind",
          Types.string("an IP address"),
          "127.0.0.1",
          "Where the agent's HTTP server listens; off loopback every request needs the token in"
              + " .strata/secrets (agent/token).");
  public static final Key<MaintenanceWindow> MAINTENANCE_WINDOW =
      Key.of(
          "maintenance_window",
          windowType(),
          MaintenanceWindow.parse("sun 02:00-04:00"),
          "When maintenance jobs (drills, VACUUM, REINDEX) may run, local time: 'sun 02:00-04:00',"
              + " 'mon-fri 01:00-03:00', 'daily 22:00-02:00' or 'always'.");
  public static final Key<Optional<Cron>> MAINTAIN =
      Key.of(
          "maintain",
          maintainType(),
          Optional.of(Cron.parse("0 3 * * sun")),
          "When the agent runs strata maintain (VACUUM, REINDEX where the advisor finds a reason;"
              + " indexes only reported), a quoted cron expression inside maintenance_window, or"
              + " off.");
  public static final Key<Duration> CHECK_INTERVAL =
      Key.of(
          "check_interval",
          Types.duration(),
          Duration.ofSeconds(2),
          "How often the agent checks that every server process is alive.");
  public static final Key<Duration> RESTART_BACKOFF_MAX =
      Key.of(
          "restart_backoff_max",
          Types.duration(),
          Duration.ofSeconds(60),
          "The longest wait between two restarts of a server that keeps failing (the wait"
              + " doubles from 1 s).");
  public static final Key<Duration> HEARTBEAT =
      Key.of(
          "heartbeat",
          Types.duration(),
          Duration.ofSeconds(10),
          "How often the agent writes the heartbeat row that proves where a point-in-time"
              + " restore stopped (with backups on); 0 turns it off.");
  public static final Key<Duration> SAMPLE_INTERVAL =
      Key.of(
          "sample_interval",
          Types.duration(),
          Duration.ofSeconds(15),
          "How often the agent samples the figures the dashboard charts when no Prometheus runs.");

  public static final Section<AgentSpec> SECTION =
      new Section<>(
          "agent",
          "The agent: supervision, schedules, metrics and the dashboard",
          List.of(
              ENABLED,
              PORT,
              BIND,
              MAINTENANCE_WINDOW,
              MAINTAIN,
              CHECK_INTERVAL,
              RESTART_BACKOFF_MAX,
              HEARTBEAT,
              SAMPLE_INTERVAL),
          AgentSpec::new);

  private AgentSpec(Values values) {
    super(values);
  }

  /** Whether {@code strata up} starts the agent. */
  public boolean enabled() {
    return values.get(ENABLED);
  }

  /** The HTTP port; 0 is a free port picked once and remembered. */
  public int port() {
    return values.get(PORT);
  }

  /** The HTTP listen address. */
  public String bind() {
    return values.get(BIND);
  }

  /** When maintenance jobs may run. */
  public MaintenanceWindow maintenanceWindow() {
    return values.get(MAINTENANCE_WINDOW);
  }

  /** When {@code strata maintain} runs; empty is never. */
  public Optional<Cron> maintain() {
    return values.get(MAINTAIN);
  }

  /** The interval of the liveness checks. */
  public Duration checkInterval() {
    return values.get(CHECK_INTERVAL);
  }

  /** The cap of the restart backoff. */
  public Duration restartBackoffMax() {
    return values.get(RESTART_BACKOFF_MAX);
  }

  /** The heartbeat interval; zero is off. */
  public Duration heartbeat() {
    return values.get(HEARTBEAT);
  }

  /** The sampling interval of the agent's own history. */
  public Duration sampleInterval() {
    return values.get(SAMPLE_INTERVAL);
  }

  private static Type<Optional<Cron>> maintainType() {
    String allowed = "a cron expression such as \"0 3 * * sun\", or off";
    return Type.of(
        allowed,
        value -> {
          if (!(value instanceof Value.Scalar s) || s.text() == null) {
            throw new BadValue(value, "expected " + allowed);
          }
          if (s.text().equals("off")) {
            return Optional.empty();
          }
          try {
            return Optional.of(Cron.parse(s.text()));
          } catch (IllegalArgumentException e) {
            throw new BadValue(value, e.getMessage());
          }
        },
        c -> c.map(x -> "\"" + x + "\"").orElse("off"));
  }

  private static Type<MaintenanceWindow> windowType() {
    String allowed = "days and a time range such as sun 02:00-04:00, or always";
    return Type.of(
        allowed,
        value -> {
          if (!(value instanceof Value.Scalar s) || s.text() == null) {
            throw new BadValue(value, "expected " + allowed);
          }
          try {
            return MaintenanceWindow.parse(s.text());
          } catch (IllegalArgumentException e) {
            throw new BadValue(value, e.getMessage());
          }
        },
        MaintenanceWindow::toString);
  }
}
