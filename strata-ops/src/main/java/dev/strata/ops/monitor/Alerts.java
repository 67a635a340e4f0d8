package dev.strata.ops.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.core.StrataException;
import dev.strata.core.spec.Receiver;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What {@code strata alerts} does with the stack's Alertmanager: the alerts firing now, and a test
 * notification to one receiver that is followed until Alertmanager has sent it (or failed to).
 */
public final class Alerts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final StrataSpec spec;
  private final String alertmanager;
  private final Supplier<Path> alertmanagerLog;

  /**
   * @param topology the live topology
   * @param alertmanagerLog the stack's Alertmanager log, where it says per receiver whether a
   *     notification went out
   * @throws StrataException when monitoring is off in strata.yaml
   */
  public Alerts(StrataSpec spec, Topology topology, Supplier<Path> alertmanagerLog) {
    this.spec = spec;
    this.alertmanagerLog = alertmanagerLog;
    if (topology.of(Kind.ALERTMANAGER).isEmpty()) {
      throw StrataException.badInput(
          "monitoring is off (monitoring.enabled: false), so the stack has no Alertmanager",
          "set monitoring.enabled: true in strata.yaml and run strata up, or use strata alerts"
              + " export for your own Prometheus");
    }
    this.alertmanager = "http://" + topology.first(Kind.ALERTMANAGER).endpoint();
  }

  /** An alert that fires now. */
  public record Firing(
      String name, String severity, String instance, Instant since, String summary) {}

  /** Every active alert Alertmanager holds (not silenced or inhibited), oldest first. */
  public List<Firing> firing() {
    JsonNode alerts = json(get("/api/v2/alerts?active=true&silenced=false&inhibited=false"));
    List<Firing> firing = new ArrayList<>();
    for (JsonNode a : alerts) {
      JsonNode labels = a.path("labels");
      firing.add(
          new Firing(
              labels.path("alertname").asText(),
              labels.path("severity").asText(""),
              labels.path("instance").asText(""),
              Instant.parse(a.path("startsAt").asText()),
              a.path("annotations").path("summary").asText("")));
    }
    firing.sort(java.util.Comparator.comparing(Firing::since));
    return firing;
  }

  /** What a test notification came to. */
  public record TestResult(boolean sent, String detail) {}

  /**
   * Sends a test alert that only {@code receiverName} gets and waits (group_wait and a margin)
   * until Alertmanager has notified it or failed to.
   *
   * @throws StrataException when no receiver has that name
   */
  public TestResult test(String receiverName) {
    Receiver receiver =
        spec.alerts()
            .receiver(receiverName)
            .orElseThrow(
                () ->
                    StrataException.badInput(
                        "no receiver named '" + receiverName + "' in alerts.receivers",
                        spec.alerts().receivers().isEmpty()
                            ? "add one to alerts.receivers in strata.yaml and run strata up"
                            : "name one of "
                                + spec.alerts().receivers().stream().map(Receiver::name).toList()));
    Path log = alertmanagerLog.get();
    long logFrom = Logs.size(log);
    Instant now = Instant.now();
    ObjectNode alert = JSON.createObjectNode();
    ObjectNode labels = alert.putObject("labels");
    labels.put("alertname", "StrataTestAlert");
    labels.put("severity", "info");
    labels.put("instance", "strata");
    labels.put(AlertmanagerConfig.TEST_LABEL, receiver.name());
    // A unique label, so that a second test is a new alert and is sent again.
    labels.put("test_id", Long.toString(now.toEpochMilli()));
    alert
        .putObject("annotations")
        .put("summary", "Test notification from strata alerts test " + receiver.name())
        .put("runbook", "docs/monitoring.md#receivers: nothing to do, this was a test");
    alert.put("startsAt", now.toString());
    alert.put("endsAt", now.plus(Duration.ofMinutes(5)).toString());
    ArrayNode body = JSON.createArrayNode().add(alert);
    post("/api/v2/alerts", body.toString());
    // Alertmanager's counters are per integration type, so another receiver of the same type
    // would answer for this one; its log names the receiver of every attempt.
    Duration limit = spec.alerts().groupWait().plusSeconds(15);
    AtomicReference<Optional<Boolean>> outcome = new AtomicReference<>(Optional.empty());
    Wait.until(
        () -> {
          outcome.set(attempt(Logs.since(log, logFrom), receiver.name()));
          return outcome.get().isPresent();
        },
        limit);
    if (outcome.get().isEmpty()) {
      return new TestResult(
          false,
          "Alertmanager sent nothing to " + receiver + " within " + limit.toSeconds() + " s");
    }
    return outcome.get().get()
        ? new TestResult(true, "Alertmanager notified " + receiver)
        : new TestResult(
            false,
            "Alertmanager could not deliver to "
                + receiver
                + ": strata logs alertmanager shows the receiver's answer; check its URL");
  }

  /**
   * What Alertmanager's log says of its first attempt to notify {@code receiver}: delivered ({@code
   * msg="Notify success"}, logged at debug level), failed ({@code Notify attempt failed}), or
   * nothing yet.
   */
  static Optional<Boolean> attempt(String log, String receiver) {
    String plain = "receiver=" + receiver + " ";
    String quoted = "receiver=\"" + receiver.replace("\"", "\\\"") + "\"";
    for (String line : log.lines().toList()) {
      if (!line.contains(plain) && !line.contains(quoted)) {
        continue;
      }
      if (line.contains("msg=\"Notify success\"")) {
        return Optional.of(true);
      }
      if (line.contains("msg=\"Notify attempt failed")) {
        return Optional.of(false);
      }
    }
    return Optional.empty();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw StrataException.failed("Alertmanager answered something that is not JSON", "", e);
    }
  }

  private String get(String path) {
    return send(HttpRequest.newBuilder(URI.create(alertmanager + path)).GET());
  }

  private void post(String path, String body) {
    send(
        HttpRequest.newBuilder(URI.create(alertmanager + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private String send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              request.timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw StrataException.failed(
            "Alertmanager answered HTTP " + r.statusCode() + ": " + r.body(),
            "see strata logs alertmanager",
            null);
      }
      return r.body();
    } catch (IOException e) {
      throw StrataException.environment(
          "Alertmanager does not answer at " + alertmanager + ": " + e.getMessage(),
          "run strata up (strata status shows whether alertmanager-1 runs)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw StrataException.failed("interrupted", "", e);
    }
  }
}
