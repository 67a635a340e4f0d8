package dev.strata.ops.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The agent's HTTP server (the JDK's own): {@code /health}, {@code /metrics} (Prometheus text),
 * {@code /api/status} and {@code /api/history} (JSON), and the dashboard at {@code /}. On loopback
 * it needs no login; bound elsewhere every request must carry the token ({@code Authorization:
 * Bearer …} or {@code ?token=…}, which the dashboard keeps for its own calls).
 */
final class AgentHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> ASSETS =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/dashboard.js", "dashboard.js",
          "/dashboard.css", "dashboard.css");

  private final HttpServer server;
  private final Optional<String> token;

  /**
   * @param token the token every request needs; empty on loopback
   */
  AgentHttp(String bind, int port, Optional<String> token, AgentApi agent) throws IOException {
    this.token = token;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "strata-agent-http");
              t.setDaemon(true);
              return t;
            }));
    register(agent);
  }

  private void register(AgentApi agent) {
    route(
        "/health",
        x -> {
          Map<String, Object> h = agent.health();
          return new Reply(
              Boolean.TRUE.equals(h.get("ok")) ? 200 : 503, "application/json", toJson(h));
        });
    route(
        "/metrics",
        x -> new Reply(200, "text/plain; version=0.0.4; charset=utf-8", agent.scrape()));
    route("/api/status", x -> new Reply(200, "application/json", toJson(agent.status())));
    route(
        "/api/history",
        x -> {
          double hours = Double.parseDouble(query(x, "hours").orElse("3"));
          return new Reply(
              200, "application/json", toJson(agent.history(Math.max(0.05, Math.min(hours, 24)))));
        });
    route(
        "/",
        x -> {
          String asset = ASSETS.get(x.getRequestURI().getPath());
          return asset == null
              ? new Reply(
                  404,
                  "application/json",
                  toJson(Map.of("error", "no such page: " + x.getRequestURI().getPath())))
              : new Reply(200, contentType(asset), asset(asset));
        });
  }

  private record Reply(int status, String type, String body) {}

  private void route(String path, Function<HttpExchange, Reply> handler) {
    server.createContext(
        path,
        x -> {
          try (x) {
            if (!authorized(x)) {
              send(
                  x,
                  401,
                  "application/json",
                  toJson(
                      Map.of(
                          "error", "this agent listens off loopback: send its token",
                          "fix",
                              "Authorization: Bearer <agent/token from .strata/secrets>, or ?token=")));
              return;
            }
            Reply r;
            try {
              r = handler.apply(x);
            } catch (RuntimeException e) {
              r =
                  new Reply(
                      500,
                      "application/json",
                      toJson(Map.of("error", String.valueOf(e.getMessage()))));
            }
            send(x, r.status(), r.type(), r.body());
          }
        });
  }

  private boolean authorized(HttpExchange x) {
    if (token.isEmpty()) {
      return true;
    }
    String header = Optional.ofNullable(x.getRequestHeaders().getFirst("Authorization")).orElse("");
    String given =
        header.startsWith("Bearer ") ? header.substring(7) : query(x, "token").orElse("");
    return MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), token.get().getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<String> query(HttpExchange x, String name) {
    String q = x.getRequestURI().getRawQuery();
    if (q == null) {
      return Optional.empty();
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.getResponseHeaders().set("Cache-Control", "no-store");
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String contentType(String asset) {
    return asset.endsWith(".html")
        ? "text/html; charset=utf-8"
        : asset.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
  }

  private static String asset(String name) {
    try (InputStream in = AgentHttp.class.getResourceAsStream("dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + name + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
