package dev.strata.ops.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Patroni's REST API of one node, on loopback: its state ({@code GET /patroni}), the cluster's
 * members ({@code GET /cluster}), and the operations that change the leader ({@code POST
 * /switchover}, {@code POST /failover}), which need the API's password.
 */
public final class PatroniRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String base;
  private final String authorization;

  /**
   * @param port the node's REST API port
   * @param user the API's user for unsafe operations
   * @param password its password
   */
  public PatroniRest(int port, String user, String password) {
    this.base = "http://127.0.0.1:" + port;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The node's own state ({@code role}, {@code timeline}, {@code state}…); empty when down. */
  public Optional<JsonNode> node() {
    return get("/patroni");
  }

  /** The cluster as this node sees it: {@code members} with name, role, state, lag, timeline. */
  public Optional<JsonNode> cluster() {
    return get("/cluster");
  }

  /** The name of the cluster's leader, as this node sees it. */
  public Optional<String> leader() {
    return cluster()
        .flatMap(
            c -> {
              for (JsonNode m : c.path("members")) {
                if (m.path("role").asText().equals("leader")) {
                  return Optional.of(m.path("name").asText());
                }
              }
              return Optional.empty();
            });
  }

  /**
   * POSTs {@code body} (JSON) to {@code path}.
   *
   * @return the status code and Patroni's answer
   */
  public Answer post(String path, String body, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body().trim());
    } catch (IOException e) {
      return new Answer(0, e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, "interrupted");
    }
  }

  private Optional<JsonNode> get(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(3))
            .GET()
            .build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      // /patroni answers 503 on a node whose PostgreSQL is down, with its state in the body.
      return r.body().isBlank() ? Optional.empty() : Optional.of(JSON.readTree(r.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** A status code (0 when the node did not answer) and Patroni's text. */
  public record Answer(int status, String body) {
    public boolean ok() {
      return status == 200;
    }
  }
}
