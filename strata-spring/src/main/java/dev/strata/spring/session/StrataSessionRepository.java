package dev.strata.spring.session;

import dev.strata.redis.session.SessionStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.session.PrincipalNameIndexResolver;
import org.springframework.session.SessionRepository;

/**
 * Spring Session on Strata's {@link SessionStore}: with it, {@code HttpSession} lives in Redis with
 * the store's guarantees — a sliding idle timeout and an absolute lifetime, a per-user index and
 * cap, ids that Redis only ever sees hashed, and "log out everywhere" through {@link
 * SessionStore#revokeAll}.
 *
 * <p>A session starts anonymous. When the request that logged a user in is saved (the principal is
 * the {@code PRINCIPAL_NAME_INDEX_NAME} attribute or Spring Security's context, as Spring Session
 * resolves it), the session is bound to the user under a new id; {@link
 * StrataSpringSession#changeSessionId()} rotates the id at once. Attribute values are stored with
 * Java serialization (Base64 in the session hash), like Spring Session's own Redis repositories.
 *
 * <p>A session revoked or expired in the middle of a request is not recreated by the save at its
 * end: a revoked user stays logged out.
 */
public final class StrataSessionRepository implements SessionRepository<StrataSpringSession> {
  private final SessionStore store;
  private final PrincipalNameIndexResolver<StrataSpringSession> principals =
      new PrincipalNameIndexResolver<>();
  private final SerializingConverter serializer = new SerializingConverter();
  private final DeserializingConverter deserializer;

  /** Sessions in {@code store}, read with the thread's context class loader. */
  public StrataSessionRepository(SessionStore store) {
    this(store, Thread.currentThread().getContextClassLoader());
  }

  /** Sessions in {@code store}, attribute classes resolved with {@code classLoader}. */
  public StrataSessionRepository(SessionStore store, ClassLoader classLoader) {
    this.store = Objects.requireNonNull(store, "store must not be null");
    this.deserializer = new DeserializingConverter(classLoader);
  }

  /** The store underneath, for {@code revokeAll} and {@code list}. */
  public SessionStore store() {
    return store;
  }

  @Override
  public StrataSpringSession createSession() {
    dev.strata.redis.session.Session s = store.createAnonymous(Map.of());
    return new StrataSpringSession(this, s.id(), null, s.createdAt(), Map.of());
  }

  @Override
  public void save(StrataSpringSession session) {
    String principal = principals.resolveIndexValueFor(session);
    if (principal != null && !principal.equals(session.user())) {
      store.login(session.getId(), principal).ifPresent(s -> session.moved(s.id(), principal));
    }
    Map<String, String> set = session.takeChanged();
    Set<String> remove = session.takeRemoved();
    if (!set.isEmpty() || !remove.isEmpty()) {
      store.update(session.getId(), set, remove);
    }
  }

  @Override
  public StrataSpringSession findById(String id) {
    return store
        .find(id)
        .map(s -> new StrataSpringSession(this, id, s.userId(), s.createdAt(), s.attributes()))
        .orElse(null);
  }

  @Override
  public void deleteById(String id) {
    store.revoke(id);
  }

  String rotate(StrataSpringSession session) {
    return store
        .rotate(session.getId())
        .map(dev.strata.redis.session.Session::id)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "session expired or was revoked before its id could change"));
  }

  Duration idleTimeout() {
    return store.idleTimeout();
  }

  String encode(Object value) {
    return Base64.getEncoder().encodeToString(serializer.convert(value));
  }

  Object decode(String raw) {
    return deserializer.convert(Base64.getDecoder().decode(raw));
  }
}
