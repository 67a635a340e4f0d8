package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.session.SessionStore;
import dev.strata.spring.session.StrataSessionRepository;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.SessionRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real Spring Boot web app (embedded Tomcat, Spring Session from Maven Central) whose only Strata
 * configuration is {@code strata.redis.url}: auto-configuration puts {@code HttpSession} in
 * Strata's session store. Browsers are HTTP clients with their own cookie jars.
 */
@StrataTest
final class SpringSessionIT {
  private static String url;
  private static String ca;
  private static dev.strata.core.env.StackEnv env;
  private static ConfigurableApplicationContext app;
  private static int port;

  /** The app: counts visits in the session, logs a user in the way Spring Security does. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @RestController
  static class WebApp {
    @GetMapping("/visit")
    String visit(HttpSession session) {
      Integer visits = (Integer) session.getAttribute("visits");
      int next = visits == null ? 1 : visits + 1;
      session.setAttribute("visits", next);
      return Integer.toString(next);
    }

    @PostMapping("/login")
    String login(HttpServletRequest request, @RequestParam("user") String user) {
      request.getSession(); // a visitor's session, if none yet
      request.changeSessionId(); // as Spring Security's session fixation protection does
      request
          .getSession()
          .setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, user);
      return "ok";
    }

    @GetMapping("/whoami")
    String whoami(HttpServletRequest request) {
      HttpSession session = request.getSession(false);
      Object user =
          session == null
              ? null
              : session.getAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME);
      return user == null ? "anonymous" : user.toString();
    }

    @PostMapping("/logout")
    String logout(HttpServletRequest request) {
      HttpSession session = request.getSession(false);
      if (session != null) {
        session.invalidate();
      }
      return "bye";
    }
  }

  @BeforeAll
  static void start(StrataStack stack) {
    env = stack.env();
    url = env.redis().url();
    ca = env.redis().caFile() == null ? "" : env.redis().caFile().toString();
    app = startApp();
    port = portOf(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static ConfigurableApplicationContext startApp() {
    return new SpringApplicationBuilder(WebApp.class)
        .properties(
            "server.port=0",
            "strata.redis.url=" + url, // as REDIS_URL and REDIS_CA in `strata env`
            "strata.redis.ca=" + ca,
            "strata.session.max-per-user=5",
            "spring.main.banner-mode=off",
            // spring-jdbc is on this module's test classpath (the tenancy tests use it): the web
            // app keeps its sessions in Redis and has no database.
            "spring.autoconfigure.exclude="
                + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")
        .run();
  }

  private static int portOf(ConfigurableApplicationContext ctx) {
    return ((ServletWebServerApplicationContext) ctx).getWebServer().getPort();
  }

  /** A browser: an HTTP client with its own cookies. */
  private static final class Browser {
    final CookieManager cookies = new CookieManager();
    final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();

    String get(int port, String path) {
      return send(HttpRequest.newBuilder(uri(port, path)).GET().build());
    }

    String post(int port, String path) {
      return send(
          HttpRequest.newBuilder(uri(port, path))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build());
    }

    private String send(HttpRequest request) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** The session id, as Spring Session's cookie carries it (Base64). */
    String sessionId() {
      return cookies.getCookieStore().getCookies().stream()
          .filter(c -> c.getName().equals("SESSION"))
          .map(HttpCookie::getValue)
          .map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8))
          .findFirst()
          .orElse(null);
    }

    void useSession(String id) {
      cookies.getCookieStore().removeAll();
      HttpCookie cookie =
          new HttpCookie(
              "SESSION", Base64.getEncoder().encodeToString(id.getBytes(StandardCharsets.UTF_8)));
      cookie.setPath("/");
      cookie.setVersion(0);
      cookies.getCookieStore().add(uri(port, "/"), cookie);
    }

    private static URI uri(int port, String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }
  }

  private static SessionStore store() {
    return app.getBean(StrataSessionRepository.class).store();
  }

  @Test
  void the_session_lives_in_strata_redis_across_requests() {
    Browser browser = new Browser();

    assertThat(browser.get(port, "/visit")).isEqualTo("1");
    assertThat(browser.get(port, "/visit")).isEqualTo("2");
    assertThat(browser.get(port, "/visit")).isEqualTo("3");

    assertThat(app.getBean(SessionRepository.class)).isInstanceOf(StrataSessionRepository.class);
    String id = browser.sessionId();
    try (StrataRedis redis = StrataRedis.connect(env)) {
      assertThat(redis.sync().exists(store().keyOf(id))).isEqualTo(1);
    }
  }

  @Test
  void login_gives_a_new_session_id_keeps_the_data_and_kills_the_old_id() {
    Browser browser = new Browser();
    browser.get(port, "/visit");
    browser.get(port, "/visit");
    String before = browser.sessionId();

    browser.post(port, "/login?user=olga");

    String after = browser.sessionId();
    assertThat(after).isNotEqualTo(before);
    assertThat(browser.get(port, "/whoami")).isEqualTo("olga");
    assertThat(browser.get(port, "/visit")).isEqualTo("3");
    assertThat(store().find(before)).isEmpty();
    Browser attacker = new Browser();
    attacker.useSession(before);
    assertThat(attacker.get(port, "/whoami")).isEqualTo("anonymous");
    assertThat(store().list("olga")).hasSize(1);
  }

  @Test
  void revoke_all_logs_a_user_out_of_every_browser() {
    Browser laptop = new Browser();
    Browser phone = new Browser();
    laptop.post(port, "/login?user=pete");
    phone.post(port, "/login?user=pete");
    assertThat(laptop.get(port, "/whoami")).isEqualTo("pete");
    assertThat(phone.get(port, "/whoami")).isEqualTo("pete");

    assertThat(store().revokeAll("pete")).isEqualTo(2);

    assertThat(laptop.get(port, "/whoami")).isEqualTo("anonymous");
    assertThat(phone.get(port, "/whoami")).isEqualTo("anonymous");
  }

  @Test
  void a_second_instance_of_the_app_serves_the_same_session() {
    Browser browser = new Browser();
    browser.get(port, "/visit");
    browser.post(port, "/login?user=quinn");
    try (ConfigurableApplicationContext second = startApp()) {
      int otherPort = portOf(second);

      assertThat(browser.get(otherPort, "/whoami")).isEqualTo("quinn");
      assertThat(browser.get(otherPort, "/visit")).isEqualTo("2");
      assertThat(browser.get(port, "/visit")).isEqualTo("3");
    }
  }

  @Test
  void logout_deletes_the_session_from_redis() {
    Browser browser = new Browser();
    browser.post(port, "/login?user=rosa");
    String id = browser.sessionId();

    browser.post(port, "/logout");

    assertThat(store().find(id)).isEmpty();
    assertThat(store().list("rosa")).isEmpty();
  }
}
