package dev.strata.redis.session;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.redis.connect.RedisScript;
import dev.strata.redis.connect.StrataRedis;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Sessions in Redis: one hash per session with a sliding idle timeout, an index of each user's
 * sessions, a cap on sessions per user (the oldest goes), and revocation of one or all of a user's
 * sessions. Every change is one Lua script, so the index and the sessions never disagree for a
 * reader.
 *
 * <pre>{@code
 * SessionStore sessions = SessionStore.builder(redis).idleTimeout(Duration.ofMinutes(30))
 *     .maxSessionsPerUser(5).build();
 * Session s = sessions.create("alice", Map.of("role", "admin"));
 * sessions.find(s.id());          // slides the idle timeout
 * sessions.revokeAll("alice");    // "log out everywhere"
 * }</pre>
 *
 * <p>Session ids carry 256 random bits, then a dot and four hex digits of a hash of the user id,
 * which put a session and its user's index in the same Redis Cluster slot. Thread-safe.
 */
public final class SessionStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ID = Pattern.compile("([A-Za-z0-9_-]{43})\\.([0-9a-f]{4})");
  private static final Pattern ATTRIBUTE = Pattern.compile("[^\\s]{1,200}");
  private static final String USER = "m:user";
  private static final String CREATED = "m:created";
  private static final String ATTR = "a:";

  private static final RedisScript CREATE =
      new RedisScript(
          """
          local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
          for _, id in ipairs(ids) do
            if redis.call('EXISTS', ARGV[4] .. id) == 0 then redis.call('ZREM', KEYS[2], id) end
          end
          local max = tonumber(ARGV[2])
          local evicted = {}
          if max > 0 then
            while redis.call('ZCARD', KEYS[2]) >= max do
              local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
              redis.call('DEL', ARGV[4] .. oldest)
              redis.call('ZREM', KEYS[2], oldest)
              table.insert(evicted, oldest)
            end
          end
          redis.call('HSET', KEYS[1], unpack(ARGV, 6))
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
          redis.call('PEXPIRE', KEYS[2], ARGV[1])
          return evicted
          """);

  private static final RedisScript TOUCH =
      new RedisScript(
          """
          local user = redis.call('HGET', KEYS[1], 'm:user')
          if not user then return {} end
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          redis.call('PEXPIRE', ARGV[2] .. user, ARGV[1])
          return redis.call('HGETALL', KEYS[1])
          """);

  private static final RedisScript SET_ATTRIBUTE =
      new RedisScript(
          """
          if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
          redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          return 1
          """);

  private static final RedisScript REVOKE =
      new RedisScript(
          """
          local user = redis.call('HGET', KEYS[1], 'm:user')
          if not user then return 0 end
          redis.call('ZREM', ARGV[1] .. user, ARGV[2])
          return redis.call('DEL', KEYS[1])
          """);

  private static final RedisScript REVOKE_ALL =
      new RedisScript(
          """
          local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
          local n = 0
          for _, id in ipairs(ids) do n = n + redis.call('DEL', ARGV[1] .. id) end
          redis.call('DEL', KEYS[1])
          return n
          """);

  private static final RedisScript LIST =
      new RedisScript(
          """
          local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
          local out = {}
          for _, id in ipairs(ids) do
            local h = redis.call('HGETALL', ARGV[1] .. id)
            if #h == 0 then
              redis.call('ZREM', KEYS[1], id)
            else
              table.insert(out, id)
              table.insert(out, h)
            end
          end
          return out
          """);

  private final StrataRedis redis;
  private final String prefix;
  private final long idleMillis;
  private final int maxPerUser;

  private SessionStore(Builder b) {
    this.redis = b.redis;
    this.prefix = "strata:s:" + b.name + ":";
    this.idleMillis = b.idleTimeout.toMillis();
    this.maxPerUser = b.maxSessionsPerUser;
  }

  /** Starts building a store. */
  public static Builder builder(StrataRedis redis) {
    return new Builder(redis);
  }

  /**
   * Creates a session for {@code userId}. When the user already has the maximum number of sessions,
   * the oldest ones are revoked first.
   *
   * @param attributes names without whitespace, values any text
   * @throws StrataException if Redis does not answer
   */
  public Session create(String userId, Map<String, String> attributes) {
    Objects.requireNonNull(userId, "userId must not be null");
    Objects.requireNonNull(attributes, "attributes must not be null");
    if (userId.isEmpty()) {
      throw new IllegalArgumentException("userId must not be empty");
    }
    attributes.keySet().forEach(SessionStore::checkAttribute);
    String slot = slot(userId);
    String secret = newSecret();
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    List<byte[]> args = new ArrayList<>();
    args.add(RedisScript.arg(idleMillis));
    args.add(RedisScript.arg(maxPerUser));
    args.add(RedisScript.arg(now.toEpochMilli()));
    args.add(RedisScript.arg(sessionPrefix(slot)));
    args.add(RedisScript.arg(secret));
    args.add(RedisScript.arg(USER));
    args.add(RedisScript.arg(userId));
    args.add(RedisScript.arg(CREATED));
    args.add(RedisScript.arg(now.toEpochMilli()));
    attributes.forEach(
        (name, value) -> {
          args.add(RedisScript.arg(ATTR + name));
          args.add(RedisScript.arg(value));
        });
    run(
        CREATE,
        ScriptOutputType.MULTI,
        new String[] {sessionPrefix(slot) + secret, indexKey(slot, userId)},
        args.toArray(byte[][]::new));
    return new Session(secret + "." + slot, userId, now, attributes);
  }

  /**
   * The session with this id, sliding its idle timeout (and its user's index) forward.
   *
   * @return empty if it expired, was revoked, or the id is malformed
   */
  public Optional<Session> find(String id) {
    Optional<String[]> parts = parse(id);
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    String slot = parts.get()[1];
    List<Object> fields =
        run(
            TOUCH,
            ScriptOutputType.MULTI,
            new String[] {sessionPrefix(slot) + parts.get()[0]},
            RedisScript.arg(idleMillis),
            RedisScript.arg(indexPrefix(slot)));
    return fields.isEmpty() ? Optional.empty() : Optional.of(toSession(id, fields));
  }

  /**
   * Sets one attribute and slides the idle timeout.
   *
   * @return false if the session no longer exists (it is not recreated)
   */
  public boolean setAttribute(String id, String name, String value) {
    checkAttribute(name);
    Objects.requireNonNull(value, "value must not be null");
    Optional<String[]> parts = parse(id);
    if (parts.isEmpty()) {
      return false;
    }
    Long set =
        run(
            SET_ATTRIBUTE,
            ScriptOutputType.INTEGER,
            new String[] {sessionPrefix(parts.get()[1]) + parts.get()[0]},
            RedisScript.arg(idleMillis),
            RedisScript.arg(ATTR + name),
            RedisScript.arg(value));
    return set == 1;
  }

  /**
   * Revokes one session (logout).
   *
   * @return whether it existed
   */
  public boolean revoke(String id) {
    Optional<String[]> parts = parse(id);
    if (parts.isEmpty()) {
      return false;
    }
    String slot = parts.get()[1];
    Long deleted =
        run(
            REVOKE,
            ScriptOutputType.INTEGER,
            new String[] {sessionPrefix(slot) + parts.get()[0]},
            RedisScript.arg(indexPrefix(slot)),
            RedisScript.arg(parts.get()[0]));
    return deleted == 1;
  }

  /**
   * Revokes every session of {@code userId} ("log out everywhere", after a password change).
   *
   * @return how many sessions were live
   */
  public long revokeAll(String userId) {
    Objects.requireNonNull(userId, "userId must not be null");
    String slot = slot(userId);
    Long n =
        run(
            REVOKE_ALL,
            ScriptOutputType.INTEGER,
            new String[] {indexKey(slot, userId)},
            RedisScript.arg(sessionPrefix(slot)));
    return n;
  }

  /** The live sessions of {@code userId}, oldest first; does not slide their timeouts. */
  public List<Session> list(String userId) {
    Objects.requireNonNull(userId, "userId must not be null");
    String slot = slot(userId);
    List<Object> flat =
        run(
            LIST,
            ScriptOutputType.MULTI,
            new String[] {indexKey(slot, userId)},
            RedisScript.arg(sessionPrefix(slot)));
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      String secret = new String((byte[]) flat.get(i), UTF_8);
      sessions.add(toSession(secret + "." + slot, castList(flat.get(i + 1))));
    }
    return sessions;
  }

  /** The idle timeout given to the builder. */
  public Duration idleTimeout() {
    return Duration.ofMillis(idleMillis);
  }

  private <T> T run(RedisScript script, ScriptOutputType type, String[] keys, byte[]... args) {
    try {
      return script.run(redis.sync(), type, keys, args);
    } catch (RedisException e) {
      throw new StrataException(
          ErrorCode.ENVIRONMENT,
          "session store: Redis at "
              + redis.address()
              + " does not answer ("
              + e.getMessage()
              + ")",
          "check Redis with `strata status`",
          e);
    }
  }

  private static Session toSession(String id, List<Object> fields) {
    String user = null;
    Instant created = null;
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String field = new String((byte[]) fields.get(i), UTF_8);
      String value = new String((byte[]) fields.get(i + 1), UTF_8);
      if (field.equals(USER)) {
        user = value;
      } else if (field.equals(CREATED)) {
        created = Instant.ofEpochMilli(Long.parseLong(value));
      } else if (field.startsWith(ATTR)) {
        attributes.put(field.substring(ATTR.length()), value);
      }
    }
    return new Session(id, user, created, attributes);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> castList(Object o) {
    return (List<Object>) o;
  }

  private String sessionPrefix(String slot) {
    return prefix + "{" + slot + "}:";
  }

  private String indexPrefix(String slot) {
    return prefix + "{" + slot + "}:user:";
  }

  private String indexKey(String slot, String userId) {
    return indexPrefix(slot) + userId;
  }

  private static Optional<String[]> parse(String id) {
    if (id == null) {
      return Optional.empty();
    }
    var m = ID.matcher(id);
    return m.matches() ? Optional.of(new String[] {m.group(1), m.group(2)}) : Optional.empty();
  }

  private static void checkAttribute(String name) {
    Objects.requireNonNull(name, "attribute name must not be null");
    if (!ATTRIBUTE.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "attribute name must be 1 to 200 characters without whitespace but was '" + name + "'");
    }
  }

  private static String slot(String userId) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(userId.getBytes(UTF_8));
      return HexFormat.of().formatHex(hash, 0, 2);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Options of a session store; every one has a default. */
  public static final class Builder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private final StrataRedis redis;
    private String name = "default";
    private Duration idleTimeout = Duration.ofMinutes(30);
    private int maxSessionsPerUser = 10;

    private Builder(StrataRedis redis) {
      this.redis = Objects.requireNonNull(redis, "redis must not be null");
    }

    /** Separates stores sharing a Redis (letters, digits, {@code _ . -}). Default "default". */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name must not be null");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "session store name must be 1 to 64 letters, digits, '_', '.' or '-' but was '"
                + name
                + "'");
      }
      this.name = name;
      return this;
    }

    /** How long a session lives without being read. Default 30 minutes. */
    public Builder idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "idleTimeout must not be null");
      if (timeout.toMillis() <= 0) {
        throw new IllegalArgumentException("idleTimeout must be at least 1 ms but was " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /** The most live sessions one user may have; 0 for no limit. Default 10. */
    public Builder maxSessionsPerUser(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxSessionsPerUser must be 0 or more but was " + max);
      }
      this.maxSessionsPerUser = max;
      return this;
    }

    /** The store; it keeps no state of its own beyond the options, so build it once and share. */
    public SessionStore build() {
      return new SessionStore(this);
    }
  }
}
