package dev.strata.spring.session;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.session.Session;

/**
 * A Spring {@link Session} backed by a Strata session: attributes are read from Redis once, decoded
 * on first access, and written back as a delta (set and removed names) on save.
 */
public final class StrataSpringSession implements Session {
  private final StrataSessionRepository repository;
  private String id;
  private final Instant createdAt;
  private String user;
  private final Map<String, String> stored;
  private final Map<String, Object> decoded = new HashMap<>();
  private final Set<String> changed = new HashSet<>();
  private final Set<String> removed = new HashSet<>();
  private Instant lastAccessed = Instant.now();

  StrataSpringSession(
      StrataSessionRepository repository,
      String id,
      String user,
      Instant createdAt,
      Map<String, String> stored) {
    this.repository = repository;
    this.id = id;
    this.user = user;
    this.createdAt = createdAt;
    this.stored = new HashMap<>(stored);
  }

  @Override
  public String getId() {
    return id;
  }

  /**
   * Gives the session a new id in Redis at once (the old one stops working); Spring Security calls
   * it on login, against session fixation.
   */
  @Override
  public String changeSessionId() {
    id = repository.rotate(this);
    return id;
  }

  void moved(String newId, String newUser) {
    this.id = newId;
    this.user = newUser;
  }

  String user() {
    return user;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getAttribute(String name) {
    if (decoded.containsKey(name)) {
      return (T) decoded.get(name);
    }
    String raw = stored.get(name);
    if (raw == null) {
      return null;
    }
    Object value = repository.decode(raw);
    decoded.put(name, value);
    return (T) value;
  }

  @Override
  public Set<String> getAttributeNames() {
    Set<String> names = new HashSet<>(stored.keySet());
    names.addAll(decoded.keySet());
    names.removeAll(removed);
    return names;
  }

  @Override
  public void setAttribute(String name, Object value) {
    if (value == null) {
      removeAttribute(name);
      return;
    }
    decoded.put(name, value);
    changed.add(name);
    removed.remove(name);
  }

  @Override
  public void removeAttribute(String name) {
    decoded.remove(name);
    stored.remove(name);
    changed.remove(name);
    removed.add(name);
  }

  /** Attributes set since the last save, encoded; clears the record of changes. */
  Map<String, String> takeChanged() {
    Map<String, String> out = new HashMap<>();
    for (String name : changed) {
      String encoded = repository.encode(decoded.get(name));
      out.put(name, encoded);
      stored.put(name, encoded);
    }
    changed.clear();
    return out;
  }

  Set<String> takeRemoved() {
    Set<String> out = new HashSet<>(removed);
    removed.clear();
    return out;
  }

  @Override
  public Instant getCreationTime() {
    return createdAt;
  }

  @Override
  public void setLastAccessedTime(Instant lastAccessedTime) {
    this.lastAccessed = lastAccessedTime;
  }

  @Override
  public Instant getLastAccessedTime() {
    return lastAccessed;
  }

  /** Ignored: the store's idle timeout governs every session ({@code SessionStore.idleTimeout}). */
  @Override
  public void setMaxInactiveInterval(Duration interval) {}

  @Override
  public Duration getMaxInactiveInterval() {
    return repository.idleTimeout();
  }

  /** Never true for a session in hand: Redis expires sessions, and find returns live ones only. */
  @Override
  public boolean isExpired() {
    return false;
  }
}
