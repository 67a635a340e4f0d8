package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.session.Session;
import dev.strata.redis.session.SessionStore;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@StrataTest
final class SessionIT {
  private static StrataRedis redis;

  @BeforeAll
  static void connect(StrataStack stack) {
    redis = StrataRedis.connect(stack.env().redis());
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  private static SessionStore store(String name, Duration idle, int max) {
    return SessionStore.builder(redis).name(name).idleTimeout(idle).maxSessionsPerUser(max).build();
  }

  @Test
  void created_session_is_found_with_its_attributes() {
    SessionStore sessions = store("found", Duration.ofMinutes(5), 10);
    Session s = sessions.create("alice", Map.of("role", "admin"));

    Session found = sessions.find(s.id()).orElseThrow();

    assertThat(found.userId()).isEqualTo("alice");
    assertThat(found.attributes()).containsEntry("role", "admin");
    assertThat(found.createdAt()).isEqualTo(s.createdAt());
    assertThat(sessions.setAttribute(s.id(), "theme", "dark")).isTrue();
    assertThat(sessions.find(s.id()).orElseThrow().attributes()).containsEntry("theme", "dark");
    assertThat(s.toString()).doesNotContain(s.id());
  }

  @Test
  void unknown_or_malformed_ids_find_nothing() {
    SessionStore sessions = store("unknown", Duration.ofMinutes(5), 10);

    assertThat(sessions.find("nope")).isEmpty();
    assertThat(sessions.find("A".repeat(43) + ".abcd")).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
    assertThat(sessions.revoke("nope")).isFalse();
  }

  @Test
  void an_idle_session_expires() {
    SessionStore sessions = store("idle", Duration.ofMillis(300), 10);
    Session idle = sessions.create("bob", Map.of());

    // poll Redis itself: find() would slide the expiry it waits for
    Wait.until(() -> redis.sync().exists(sessionKey("idle", idle)) == 0);
    assertThat(sessions.find(idle.id())).isEmpty();
    assertThat(sessions.list("bob")).isEmpty();
    assertThat(sessions.setAttribute(idle.id(), "x", "y")).isFalse();
  }

  @Test
  void reading_a_session_slides_its_expiry_and_its_users_index() {
    SessionStore sessions = store("sliding", Duration.ofMinutes(10), 10);
    Session s = sessions.create("frank", Map.of());
    String key = sessionKey("sliding", s);
    String index = "strata:s:sliding:{" + s.id().substring(44) + "}:user:frank";
    redis.sync().pexpire(key, 5_000);
    redis.sync().pexpire(index, 5_000);

    assertThat(sessions.find(s.id())).isPresent();

    assertThat(redis.sync().pttl(key)).isGreaterThan(60_000);
    assertThat(redis.sync().pttl(index)).isGreaterThan(60_000);
  }

  private static String sessionKey(String store, Session s) {
    return "strata:s:" + store + ":{" + s.id().substring(44) + "}:" + s.id().substring(0, 43);
  }

  @Test
  void max_sessions_per_user_revokes_the_oldest() {
    SessionStore sessions = store("capped", Duration.ofMinutes(5), 2);
    Session first = sessions.create("carol", Map.of());
    Session second = sessions.create("carol", Map.of());
    Session third = sessions.create("carol", Map.of());

    assertThat(sessions.find(first.id())).isEmpty();
    assertThat(sessions.list("carol"))
        .extracting(Session::id)
        .containsExactly(second.id(), third.id());
  }

  @Test
  void revoke_all_ends_every_session_of_one_user_only() {
    SessionStore sessions = store("revoke", Duration.ofMinutes(5), 10);
    Session d1 = sessions.create("dave", Map.of());
    Session d2 = sessions.create("dave", Map.of());
    Session e1 = sessions.create("erin", Map.of());

    assertThat(sessions.revokeAll("dave")).isEqualTo(2);

    assertThat(sessions.find(d1.id())).isEmpty();
    assertThat(sessions.find(d2.id())).isEmpty();
    assertThat(sessions.list("dave")).isEmpty();
    assertThat(sessions.find(e1.id())).isPresent();
    assertThat(sessions.revoke(e1.id())).isTrue();
    assertThat(sessions.list("erin")).isEmpty();
  }
}
