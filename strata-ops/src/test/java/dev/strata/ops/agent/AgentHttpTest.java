package dev.strata.ops.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The HTTP layer alone: routes, the token off loopback, the dashboard's files from the build. */
final class AgentHttpTest {
  private static final AgentApi ANSWERS =
      new AgentApi() {
        @Override
        public Map<String, Object> health() {
          return Map.of("ok", false, "down", java.util.List.of("redis-1"));
        }

        @Override
        public Map<String, Object> status() {
          return Map.of("instances", java.util.List.of());
        }

        @Override
        public Map<String, Object> history(double hours) {
          return Map.of("hours", hours);
        }

        @Override
        public String scrape() {
          return "strata_agent_uptime_seconds 1.0\n";
        }
      };

  private static HttpResponse<String> get(int port, String path, String bearer) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (bearer != null) {
      r.header("Authorization", "Bearer " + bearer);
    }
    return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routes_answer_and_health_is_503_while_a_server_is_down() throws Exception {
    try (AgentHttp http = new AgentHttp("127.0.0.1", 0, Optional.empty(), ANSWERS)) {
      http.start();
      int port = http.port();
      HttpResponse<String> health = get(port, "/health", null);
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).contains("redis-1");
      assertThat(get(port, "/metrics", null).body()).startsWith("strata_agent_uptime_seconds");
      assertThat(get(port, "/api/history?hours=100", null).body())
          .as("capped at a day")
          .isEqualTo("{\"hours\":24.0}");
      assertThat(get(port, "/", null).body()).contains("<title>Strata</title>");
      assertThat(get(port, "/dashboard.js", null).headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/javascript");
      assertThat(get(port, "/etc/passwd", null).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void with_a_token_every_request_needs_it() throws Exception {
    try (AgentHttp http = new AgentHttp("127.0.0.1", 0, Optional.of("s3cret"), ANSWERS)) {
      http.start();
      int port = http.port();
      HttpResponse<String> refused = get(port, "/api/status", null);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).contains("send its token").doesNotContain("s3cret");
      assertThat(get(port, "/api/status", "wrong").statusCode()).isEqualTo(401);
      assertThat(get(port, "/api/status", "s3cret").statusCode()).isEqualTo(200);
      assertThat(get(port, "/?token=s3cret", null).statusCode()).isEqualTo(200);
      assertThat(get(port, "/metrics", null).statusCode()).isEqualTo(401);
    }
  }
}
