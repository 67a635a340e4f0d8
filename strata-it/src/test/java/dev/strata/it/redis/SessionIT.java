package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.session.Session;
import dev.strata.redis.session.SessionStore;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    Wait.until(() -> redis.sync().exists(sessions.keyOf(idle.id())) == 0);
    assertThat(sessions.find(idle.id())).isEmpty();
    assertThat(sessions.list("bob")).isEmpty();
    assertThat(sessions.setAttribute(idle.id(), "x", "y")).isFalse();
  }

  @Test
  void reading_a_session_slides_its_expiry_and_its_users_index() {
    SessionStore sessions = store("sliding", Duration.ofMinutes(10), 10);
    Session s = sessions.create("frank", Map.of());
    String key = sessions.keyOf(s.id());
    String index = "strata:s:sliding:{" + s.id().substring(44) + "}:user:frank";
    redis.sync().pexpire(key, 5_000);
    redis.sync().pexpire(index, 5_000);

    assertThat(sessions.find(s.id())).isPresent();

    assertThat(redis.sync().pttl(key)).isGreaterThan(60_000);
    assertThat(redis.sync().pttl(index)).isGreaterThan(60_000);
  }

  @Test
  void writing_an_attribute_slides_the_users_index_too_so_revoke_all_finds_the_session() {
    SessionStore sessions = store("slidewrite", Duration.ofMinutes(10), 10);
    Session s = sessions.create("gina", Map.of());
    String index = "strata:s:slidewrite:{" + s.id().substring(44) + "}:user:gina";
    redis.sync().pexpire(sessions.keyOf(s.id()), 5_000);
    redis.sync().pexpire(index, 5_000);

    assertThat(sessions.setAttribute(s.id(), "cart", "3 items")).isTrue();

    assertThat(redis.sync().pttl(sessions.keyOf(s.id()))).isGreaterThan(60_000);
    assertThat(redis.sync().pttl(index)).isGreaterThan(60_000);
    assertThat(sessions.revokeAll("gina")).isEqualTo(1);
  }

  @Test
  void max_sessions_per_user_revokes_the_oldest_even_within_one_millisecond() {
    // a stopped clock: every session is created in the same millisecond
    SessionStore sessions =
        SessionStore.builder(redis)
            .name("capped")
            .maxSessionsPerUser(2)
            .clock(java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC))
            .build();
    List<Session> created = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      created.add(sessions.create("carol", Map.of("n", Integer.toString(i))));
    }

    for (Session gone : created.subList(0, 28)) {
      assertThat(sessions.find(gone.id())).isEmpty();
    }
    assertThat(sessions.list("carol"))
        .extracting(Session::handle)
        .containsExactly(created.get(28).handle(), created.get(29).handle());
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

  @Test
  void rotate_gives_a_new_id_with_the_same_data_and_kills_the_old_one() {
    SessionStore sessions = store("rotate", Duration.ofMinutes(5), 10);
    Session old = sessions.create("hank", Map.of("role", "user"));

    Session fresh = sessions.rotate(old.id()).orElseThrow();

    assertThat(fresh.id()).isNotEqualTo(old.id());
    assertThat(sessions.find(old.id())).isEmpty();
    assertThat(sessions.setAttribute(old.id(), "x", "y")).isFalse();
    Session found = sessions.find(fresh.id()).orElseThrow();
    assertThat(found.attributes()).containsEntry("role", "user");
    assertThat(found.createdAt()).isEqualTo(old.createdAt());
    assertThat(sessions.list("hank")).extracting(Session::handle).containsExactly(fresh.handle());
    assertThat(sessions.rotate(old.id())).isEmpty();
  }

  @Test
  void login_binds_an_anonymous_session_to_a_user_under_a_new_id() {
    SessionStore sessions = store("login", Duration.ofMinutes(5), 10);
    Session visitor = sessions.createAnonymous(Map.of("cart", "2 items"));
    assertThat(sessions.find(visitor.id()).orElseThrow().user()).isEmpty();

    Session user = sessions.login(visitor.id(), "ivy").orElseThrow();

    assertThat(sessions.find(visitor.id())).isEmpty();
    assertThat(sessions.find(user.id()).orElseThrow().attributes())
        .containsEntry("cart", "2 items");
    assertThat(sessions.list("ivy")).extracting(Session::handle).containsExactly(user.handle());
    assertThat(sessions.revokeAll("ivy")).isEqualTo(1);
    assertThat(sessions.find(user.id())).isEmpty();
  }

  @Test
  void absolute_lifetime_ends_a_session_however_active_it_is() {
    SessionStore sessions =
        SessionStore.builder(redis)
            .name("absolute")
            .idleTimeout(Duration.ofMinutes(10))
            .absoluteTimeout(Duration.ofMillis(400))
            .build();
    Session s = sessions.create("jack", Map.of());

    assertThat(redis.sync().pttl(sessions.keyOf(s.id()))).isBetween(1L, 400L);
    // keep it busy: every find slides the idle timeout, never past the absolute deadline
    Wait.until(() -> sessions.find(s.id()).isEmpty());
    assertThat(System.currentTimeMillis() - s.createdAt().toEpochMilli())
        .isGreaterThanOrEqualTo(390);
    assertThat(sessions.list("jack")).isEmpty();
  }

  @Test
  void remove_attribute_removes_only_that_attribute() {
    SessionStore sessions = store("remove", Duration.ofMinutes(5), 10);
    Session s = sessions.create("kate", Map.of("a", "1", "b", "2"));

    assertThat(sessions.removeAttribute(s.id(), "a")).isTrue();

    assertThat(sessions.find(s.id()).orElseThrow().attributes())
        .containsExactly(Map.entry("b", "2"));
    assertThat(sessions.removeAttribute("A".repeat(43) + ".abcd", "b")).isFalse();
  }

  @Test
  void oversized_values_and_too_many_attributes_are_refused_with_the_limit() {
    SessionStore sessions =
        SessionStore.builder(redis).name("limits").maxAttributes(2).maxValueBytes(10).build();
    Session s = sessions.create("liam", Map.of("a", "1"));

    assertThatThrownBy(() -> sessions.setAttribute(s.id(), "big", "x".repeat(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 10");
    assertThat(sessions.setAttribute(s.id(), "b", "2")).isTrue();
    assertThatThrownBy(() -> sessions.setAttribute(s.id(), "c", "3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 2 attributes");
    assertThat(sessions.setAttribute(s.id(), "b", "replaced")).isTrue();
    assertThat(sessions.find(s.id()).orElseThrow().attributes()).doesNotContainKey("c");
  }

  @Test
  void redis_holds_a_hash_of_the_secret_never_the_secret() {
    SessionStore sessions = store("hashed", Duration.ofMinutes(5), 10);
    Session s = sessions.create("mia", Map.of());
    String secret = s.id().substring(0, 43);

    List<String> keys = new ArrayList<>();
    io.lettuce.core.ScanArgs match = io.lettuce.core.ScanArgs.Builder.matches("strata:s:hashed:*");
    io.lettuce.core.KeyScanCursor<String> cursor = redis.sync().scan(match);
    keys.addAll(cursor.getKeys());
    while (!cursor.isFinished()) {
      cursor = redis.sync().scan(cursor, match);
      keys.addAll(cursor.getKeys());
    }
    assertThat(keys).isNotEmpty().noneMatch(k -> k.contains(secret));
    for (String key : keys) {
      if (redis.sync().type(key).equals("zset")) {
        assertThat(redis.sync().zrange(key, 0, -1))
            .noneMatch(
                m -> new String(m, java.nio.charset.StandardCharsets.UTF_8).contains(secret));
      }
    }
    assertThat(sessions.find(s.id())).isPresent();
  }

  @Test
  void a_listed_session_is_revoked_by_its_handle() {
    SessionStore sessions = store("handles", Duration.ofMinutes(5), 10);
    Session phone = sessions.create("noah", Map.of("device", "phone"));
    Session laptop = sessions.create("noah", Map.of("device", "laptop"));
    Session listed = sessions.list("noah").get(0);
    assertThat(listed.id()).isNull();

    assertThat(sessions.revokeHandle("noah", listed.handle())).isTrue();

    assertThat(sessions.find(phone.id())).isEmpty();
    assertThat(sessions.find(laptop.id())).isPresent();
    assertThat(sessions.revokeHandle("noah", "not a handle")).isFalse();
  }
}
