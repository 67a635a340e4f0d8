package dev.strata.ops.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The few calls the dashboard makes to Prometheus's and Alertmanager's HTTP APIs ({@code
 * /api/v1/query_range}, {@code /api/v2/alerts}), server-side, so the page needs only the agent.
 */
final class PrometheusApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The points of {@code promql} from {@code start} to {@code end} (epoch seconds). */
  List<double[]> range(String base, String promql, long start, long end, long step)
      throws IOException, InterruptedException {
    String url =
        base
            + "/api/v1/query_range?query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8)
            + "&start="
            + start
            + "&end="
            + end
            + "&step="
            + step;
    JsonNode result = get(url).path("data").path("result");
    List<double[]> points = new ArrayList<>();
    if (result.size() > 0) {
      for (JsonNode v : result.get(0).path("values")) {
        double value = Double.parseDouble(v.get(1).asText());
        if (!Double.isNaN(value)) {
          points.add(new double[] {v.get(0).asDouble(), value});
        }
      }
    }
    return points;
  }

  JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(url + " answered HTTP " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }
}
