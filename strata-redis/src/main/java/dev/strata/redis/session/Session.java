package dev.strata.redis.session;

import java.time.Instant;
import java.util.Map;

/**
 * One session as stored: its id (the secret a browser holds in a cookie), its user, when it was
 * created, and its attributes.
 */
public record Session(String id, String userId, Instant createdAt, Map<String, String> attributes) {
  public Session {
    attributes = Map.copyOf(attributes);
  }

  /** Never prints the id: it is a bearer secret. */
  @Override
  public String toString() {
    return "Session[user="
        + userId
        + ", createdAt="
        + createdAt
        + ", attributes="
        + attributes.keySet()
        + "]";
  }
}
