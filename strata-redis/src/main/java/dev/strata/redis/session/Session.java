package dev.strata.redis.session;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One session as stored.
 *
 * @param id the secret a browser holds in a cookie; {@code null} in {@link SessionStore#list},
 *     since Redis keeps only a hash of it
 * @param handle a SHA-256 of the secret: names the session without granting it, for a "your
 *     devices" page and {@link SessionStore#revokeHandle}
 * @param userId the user, or {@code null} for an anonymous session
 * @param createdAt when it was created (kept across {@link SessionStore#rotate} and {@link
 *     SessionStore#login})
 * @param attributes the attributes
 */
public record Session(
    String id, String handle, String userId, Instant createdAt, Map<String, String> attributes) {
  public Session {
    attributes = Map.copyOf(attributes);
  }

  /** The user, empty for an anonymous session. */
  public Optional<String> user() {
    return Optional.ofNullable(userId);
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
