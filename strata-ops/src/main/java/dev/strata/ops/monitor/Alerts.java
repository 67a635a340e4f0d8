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
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

  /**
   * @param topology the live topology
   * @throws StrataException when monitoring is off in strata.yaml
   */
  public Alerts(StrataSpec spec, Topology topology) {
    this.spec = spec;
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
    Map<String, Double> before = counters(receiver.type());
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
    // Alertmanager counts requests per integration, not per receiver: a request that succeeded
    // since the alert was posted is the proof (another receiver of the same type may be failing).
    Duration limit = spec.alerts().groupWait().plusSeconds(15);
    boolean delivered =
        Wait.until(
            () -> {
              Map<String, Double> seen = counters(receiver.type());
              return delta(before, seen, "done") - delta(before, seen, "failed") > 0;
            },
            limit);
    if (delivered) {
      return new TestResult(true, "Alertmanager notified " + receiver);
    }
    return delta(before, counters(receiver.type()), "failed") > 0
        ? new TestResult(
            false,
            "Alertmanager could not deliver to "
                + receiver
                + " within "
                + limit.toSeconds()
                + " s: strata logs alertmanager shows the receiver's answer; check its URL")
        : new TestResult(
            false,
            "Alertmanager sent nothing to " + receiver + " within " + limit.toSeconds() + " s");
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
    return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
  }

  /**
   * Alertmanager's request counters of one integration ({@code slack}…): requests done (timed,
   * whatever their outcome) and requests failed.
   */
  private Map<String, Double> counters(String integration) {
    Map<String, Double> c = new TreeMap<>();
    String tag = "{integration=\"" + integration + "\"}";
    for (String line : get("/metrics").lines().toList()) {
      if (!line.contains(tag)) {
        continue;
      }
      double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.startsWith("alertmanager_notification_latency_seconds_count" + tag)) {
        c.merge("done", v, Double::sum);
      } else if (line.startsWith("alertmanager_notification_requests_failed_total" + tag)) {
        c.merge("failed", v, Double::sum);
      }
    }
    return c;
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
