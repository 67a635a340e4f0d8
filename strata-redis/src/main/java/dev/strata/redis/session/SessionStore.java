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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Sessions in Redis: one hash per session with a sliding idle timeout and an optional absolute
 * lifetime, an index of each user's sessions that slides with them, a cap on sessions per user (the
 * oldest goes), id rotation, and revocation of one or all of a user's sessions. Every change is one
 * Lua script, so the index and the sessions never disagree for a reader.
 *
 * <pre>{@code
 * SessionStore sessions = SessionStore.builder(redis).idleTimeout(Duration.ofMinutes(30))
 *     .absoluteTimeout(Duration.ofHours(12)).maxSessionsPerUser(5).build();
 * Session s = sessions.create("alice", Map.of("role", "admin"));
 * sessions.find(s.id());                  // slides the idle timeout
 * Session fresh = sessions.rotate(s.id()); // new id, same data; s.id() is dead
 * sessions.revokeAll("alice");            // "log out everywhere"
 * }</pre>
 *
 * <p>Session ids carry 256 random bits, then a dot and four hex digits of a hash of the user id
 * (random for an anonymous session), which put a session and its user's index in the same Redis
 * Cluster slot. Redis never sees the secret itself: a session's key holds a SHA-256 of it (its
 * {@linkplain Session#handle() handle}), so whoever reads the key space (a {@code KEYS}, a backup,
 * a replica) cannot take a session over. Thread-safe.
 */
public final class SessionStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ID = Pattern.compile("([A-Za-z0-9_-]{43})\\.([0-9a-f]{4})");
  private static final Pattern HANDLE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern ATTRIBUTE = Pattern.compile("[^\\s]{1,200}");
  private static final String USER = "m:user";
  private static final String CREATED = "m:created";
  private static final String DEADLINE = "m:deadline";
  private static final String ATTR = "a:";
  private static final int META_FIELDS = 3;

  /**
   * Slides a session (ARGV[1] idle ms, ARGV[2] index prefix, ARGV[3] now ms, ARGV[4] handle):
   * returns its new TTL, or -1 if it is past its absolute deadline (then it is deleted).
   */
  private static final String SLIDE =
      """
      local function slide(key)
        local deadline = tonumber(redis.call('HGET', key, 'm:deadline') or '0')
        local now = tonumber(ARGV[3])
        local ttl = tonumber(ARGV[1])
        local user = redis.call('HGET', key, 'm:user')
        if deadline > 0 then
          if deadline <= now then
            redis.call('DEL', key)
            if user then redis.call('ZREM', ARGV[2] .. user, ARGV[4]) end
            return -1
          end
          ttl = math.min(ttl, deadline - now)
        end
        redis.call('PEXPIRE', key, ttl)
        if user then
          local index = ARGV[2] .. user
          if redis.call('PTTL', index) < ttl then redis.call('PEXPIRE', index, ttl) end
        end
        return ttl
      end
      """;

  /**
   * KEYS[1] session, KEYS[2] index (absent for anonymous); ARGV[1] ttl, ARGV[2] max, ARGV[3] now,
   * ARGV[4] session key prefix, ARGV[5] handle, ARGV[6..] fields.
   */
  private static final RedisScript CREATE =
      new RedisScript(
          """
          local evicted = {}
          if #KEYS > 1 then
            for _, h in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
              if redis.call('EXISTS', ARGV[4] .. h) == 0 then redis.call('ZREM', KEYS[2], h) end
            end
            local max = tonumber(ARGV[2])
            if max > 0 then
              while redis.call('ZCARD', KEYS[2]) >= max do
                local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
                redis.call('DEL', ARGV[4] .. oldest)
                redis.call('ZREM', KEYS[2], oldest)
                table.insert(evicted, oldest)
              end
            end
            -- creation order, never a tie: a millisecond clock times 1000, past the newest score
            local score = tonumber(ARGV[3]) * 1000
            local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
            if newest[2] and tonumber(newest[2]) >= score then score = tonumber(newest[2]) + 1 end
            redis.call('ZADD', KEYS[2], score, ARGV[5])
            if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[1]) then
              redis.call('PEXPIRE', KEYS[2], ARGV[1])
            end
          end
          redis.call('HSET', KEYS[1], unpack(ARGV, 6))
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          return evicted
          """);

  private static final RedisScript TOUCH =
      new RedisScript(
          SLIDE
              + """
              if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
              if slide(KEYS[1]) < 0 then return {} end
              return redis.call('HGETALL', KEYS[1])
              """);

  /**
   * ARGV[5] max attributes, ARGV[6] number of fields to set, then field/value pairs, then fields to
   * remove. Returns 1, 0 if the session is gone, -2 if it would hold too many attributes.
   */
  private static final RedisScript UPDATE =
      new RedisScript(
          SLIDE
              + """
              if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
              local n = tonumber(ARGV[6])
              local count = redis.call('HLEN', KEYS[1]) - 3
              for i = 0, n - 1 do
                if redis.call('HEXISTS', KEYS[1], ARGV[7 + 2 * i]) == 0 then count = count + 1 end
              end
              local removes = {}
              for i = 7 + 2 * n, #ARGV do
                if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then count = count - 1 end
                table.insert(removes, ARGV[i])
              end
              if count > tonumber(ARGV[5]) then return -2 end
              if slide(KEYS[1]) < 0 then return 0 end
              if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 7, 6 + 2 * n)) end
              if #removes > 0 then redis.call('HDEL', KEYS[1], unpack(removes)) end
              return 1
              """);

  /**
   * KEYS[1] old, KEYS[2] new (same slot); ARGV[1] index prefix, ARGV[2] old, ARGV[3] new handle.
   */
  private static final RedisScript ROTATE =
      new RedisScript(
          """
          if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
          redis.call('RENAME', KEYS[1], KEYS[2])
          local user = redis.call('HGET', KEYS[2], 'm:user')
          if user then
            local index = ARGV[1] .. user
            local score = redis.call('ZSCORE', index, ARGV[2])
            redis.call('ZREM', index, ARGV[2])
            if score then redis.call('ZADD', index, score, ARGV[3]) end
          end
          return 1
          """);

  private static final RedisScript REVOKE =
      new RedisScript(
          """
          local user = redis.call('HGET', KEYS[1], 'm:user')
          if user then redis.call('ZREM', ARGV[1] .. user, ARGV[2]) end
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
  private final long absoluteMillis;
  private final int maxPerUser;
  private final int maxAttributes;
  private final int maxValueBytes;
  private final Clock clock;

  private SessionStore(Builder b) {
    this.redis = b.redis;
    this.prefix = "strata:s:" + b.name + ":";
    this.idleMillis = b.idleTimeout.toMillis();
    this.absoluteMillis = b.absoluteTimeout == null ? 0 : b.absoluteTimeout.toMillis();
    this.maxPerUser = b.maxSessionsPerUser;
    this.maxAttributes = b.maxAttributes;
    this.maxValueBytes = b.maxValueBytes;
    this.clock = b.clock;
  }

  /** Starts building a store. */
  public static Builder builder(StrataRedis redis) {
    return new Builder(redis);
  }

  /**
   * Creates a session for {@code userId}. When the user already has the maximum number of sessions,
   * the oldest ones (in creation order) are revoked first.
   *
   * @param attributes names without whitespace, values any text
   * @throws StrataException if Redis does not answer
   */
  public Session create(String userId, Map<String, String> attributes) {
    Objects.requireNonNull(userId, "userId must not be null");
    if (userId.isEmpty()) {
      throw new IllegalArgumentException("userId must not be empty");
    }
    long now = clock.millis();
    return store(userId, slot(userId), now, deadline(now), attributes);
  }

  /**
   * Creates a session without a user (a visitor's cart, a login form's CSRF token); {@link #login}
   * binds it to a user later, with a new id.
   */
  public Session createAnonymous(Map<String, String> attributes) {
    long now = clock.millis();
    return store(null, HexFormat.of().formatHex(randomBytes(2)), now, deadline(now), attributes);
  }

  private long deadline(long createdMillis) {
    return absoluteMillis == 0 ? 0 : createdMillis + absoluteMillis;
  }

  private Session store(
      String userId, String slot, long created, long deadline, Map<String, String> attributes) {
    Objects.requireNonNull(attributes, "attributes must not be null");
    checkAttributes(attributes);
    if (attributes.size() > maxAttributes) {
      throw new IllegalArgumentException(
          "a session holds at most " + maxAttributes + " attributes but got " + attributes.size());
    }
    long now = clock.millis();
    long ttl = deadline == 0 ? idleMillis : Math.min(idleMillis, deadline - now);
    if (ttl <= 0) {
      throw new IllegalStateException("the session is past its absolute lifetime");
    }
    String secret = newSecret();
    String handle = handle(secret);
    List<byte[]> args = new ArrayList<>();
    args.add(RedisScript.arg(ttl));
    args.add(RedisScript.arg(maxPerUser));
    args.add(RedisScript.arg(now));
    args.add(RedisScript.arg(sessionPrefix(slot)));
    args.add(RedisScript.arg(handle));
    if (userId != null) {
      args.add(RedisScript.arg(USER));
      args.add(RedisScript.arg(userId));
    }
    args.add(RedisScript.arg(CREATED));
    args.add(RedisScript.arg(created));
    args.add(RedisScript.arg(DEADLINE));
    args.add(RedisScript.arg(deadline));
    attributes.forEach(
        (name, value) -> {
          args.add(RedisScript.arg(ATTR + name));
          args.add(RedisScript.arg(value));
        });
    String[] keys =
        userId == null
            ? new String[] {sessionPrefix(slot) + handle}
            : new String[] {sessionPrefix(slot) + handle, indexKey(slot, userId)};
    run(CREATE, ScriptOutputType.MULTI, keys, args.toArray(byte[][]::new));
    return new Session(
        secret + "." + slot, handle, userId, Instant.ofEpochMilli(created), attributes);
  }

  /**
   * The session with this id, sliding its idle timeout (and its user's index) forward, never past
   * its absolute lifetime.
   *
   * @return empty if it expired, was revoked, or the id is malformed
   */
  public Optional<Session> find(String id) {
    Optional<String[]> parts = parse(id);
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    String slot = parts.get()[1];
    String handle = handle(parts.get()[0]);
    List<Object> fields =
        run(
            TOUCH,
            ScriptOutputType.MULTI,
            new String[] {sessionPrefix(slot) + handle},
            slideArgs(slot, handle));
    return fields.isEmpty() ? Optional.empty() : Optional.of(toSession(id, handle, fields));
  }

  private byte[][] slideArgs(String slot, String handle, byte[]... more) {
    byte[][] args = new byte[4 + more.length][];
    args[0] = RedisScript.arg(idleMillis);
    args[1] = RedisScript.arg(indexPrefix(slot));
    args[2] = RedisScript.arg(clock.millis());
    args[3] = RedisScript.arg(handle);
    System.arraycopy(more, 0, args, 4, more.length);
    return args;
  }

  /**
   * Sets one attribute and slides the idle timeout (and the user's index).
   *
   * @return false if the session no longer exists (it is not recreated)
   * @throws IllegalArgumentException if the value is larger than the store allows, or the session
   *     would hold more attributes than it allows
   */
  public boolean setAttribute(String id, String name, String value) {
    Objects.requireNonNull(value, "value must not be null");
    return update(id, Map.of(name, value), Set.of());
  }

  /**
   * Removes one attribute and slides the idle timeout.
   *
   * @return false if the session no longer exists
   */
  public boolean removeAttribute(String id, String name) {
    return update(id, Map.of(), Set.of(name));
  }

  /**
   * Sets and removes attributes in one step, sliding the idle timeout.
   *
   * @return false if the session no longer exists (it is not recreated)
   */
  public boolean update(String id, Map<String, String> set, Collection<String> remove) {
    Objects.requireNonNull(set, "set must not be null");
    Objects.requireNonNull(remove, "remove must not be null");
    checkAttributes(set);
    remove.forEach(SessionStore::checkName);
    Optional<String[]> parts = parse(id);
    if (parts.isEmpty()) {
      return false;
    }
    String slot = parts.get()[1];
    String handle = handle(parts.get()[0]);
    List<byte[]> more = new ArrayList<>();
    more.add(RedisScript.arg(maxAttributes));
    more.add(RedisScript.arg(set.size()));
    set.forEach(
        (name, value) -> {
          more.add(RedisScript.arg(ATTR + name));
          more.add(RedisScript.arg(value));
        });
    remove.forEach(name -> more.add(RedisScript.arg(ATTR + name)));
    Long result =
        run(
            UPDATE,
            ScriptOutputType.INTEGER,
            new String[] {sessionPrefix(slot) + handle},
            slideArgs(slot, handle, more.toArray(byte[][]::new)));
    if (result == -2) {
      throw new IllegalArgumentException(
          "a session holds at most " + maxAttributes + " attributes; this update would exceed it");
    }
    return result == 1;
  }

  /**
   * Gives the session a new id, keeping its data, user, creation time and place in the user's
   * index; the old id stops working at once. Call it when the session's privileges change (the
   * defence against session fixation).
   *
   * @return the session under its new id, or empty if it no longer exists
   */
  public Optional<Session> rotate(String id) {
    Optional<String[]> parts = parse(id);
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    String slot = parts.get()[1];
    String oldHandle = handle(parts.get()[0]);
    String secret = newSecret();
    String newHandle = handle(secret);
    Long moved =
        run(
            ROTATE,
            ScriptOutputType.INTEGER,
            new String[] {sessionPrefix(slot) + oldHandle, sessionPrefix(slot) + newHandle},
            RedisScript.arg(indexPrefix(slot)),
            RedisScript.arg(oldHandle),
            RedisScript.arg(newHandle));
    return moved == 1 ? find(secret + "." + slot) : Optional.empty();
  }

  /**
   * Binds a session to {@code userId} after a login, under a new id (as {@link #rotate}); the
   * attributes and creation time carry over, the old id stops working, and the user's cap applies.
   *
   * @return the session under its new id, or empty if the old one no longer exists
   */
  public Optional<Session> login(String id, String userId) {
    Objects.requireNonNull(userId, "userId must not be null");
    if (userId.isEmpty()) {
      throw new IllegalArgumentException("userId must not be empty");
    }
    Optional<Session> old = find(id);
    if (old.isEmpty()) {
      return Optional.empty();
    }
    Session s = old.get();
    long created = s.createdAt().toEpochMilli();
    // two slots on a cluster (the old session's and the user's): create first, then revoke,
    // so a failure in between leaves the user logged in rather than logged out
    Session fresh = store(userId, slot(userId), created, deadline(created), s.attributes());
    revoke(id);
    return Optional.of(fresh);
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
    return revokeKey(parts.get()[1], handle(parts.get()[0]));
  }

  /**
   * Revokes one session of {@code userId} by its {@linkplain Session#handle() handle}, as listed by
   * {@link #list} ("sign out that device").
   *
   * @return whether it existed
   */
  public boolean revokeHandle(String userId, String handle) {
    Objects.requireNonNull(userId, "userId must not be null");
    if (handle == null || !HANDLE.matcher(handle).matches()) {
      return false;
    }
    return revokeKey(slot(userId), handle);
  }

  private boolean revokeKey(String slot, String handle) {
    Long deleted =
        run(
            REVOKE,
            ScriptOutputType.INTEGER,
            new String[] {sessionPrefix(slot) + handle},
            RedisScript.arg(indexPrefix(slot)),
            RedisScript.arg(handle));
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

  /**
   * The live sessions of {@code userId}, oldest first, without their ids (Redis holds only their
   * handles); does not slide their timeouts.
   */
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
      String handle = new String((byte[]) flat.get(i), UTF_8);
      sessions.add(toSession(null, handle, castList(flat.get(i + 1))));
    }
    return sessions;
  }

  /** The idle timeout given to the builder. */
  public Duration idleTimeout() {
    return Duration.ofMillis(idleMillis);
  }

  /** The Redis key of a session, for tests and diagnostics: it holds a hash of the id only. */
  public String keyOf(String id) {
    String[] parts =
        parse(id).orElseThrow(() -> new IllegalArgumentException("not a session id of this store"));
    return sessionPrefix(parts[1]) + handle(parts[0]);
  }

  private <T> T run(RedisScript script, ScriptOutputType type, String[] keys, byte[]... args) {
    try {
      redis.health().checkCallable();
      T result = script.run(redis.sync(), type, keys, args);
      redis.health().answered();
      return result;
    } catch (RedisException e) {
      redis.health().failed("the session store refuses every call", e);
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

  private static Session toSession(String id, String handle, List<Object> fields) {
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
    return new Session(id, handle, user, created, attributes);
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

  private void checkAttributes(Map<String, String> attributes) {
    attributes.forEach(
        (name, value) -> {
          checkName(name);
          Objects.requireNonNull(value, "attribute '" + name + "' must not be null");
          int bytes = value.getBytes(UTF_8).length;
          if (bytes > maxValueBytes) {
            throw new IllegalArgumentException(
                "attribute '"
                    + name
                    + "' is "
                    + bytes
                    + " bytes; a session value may hold at most "
                    + maxValueBytes
                    + " (SessionStore.Builder.maxValueBytes)");
          }
        });
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "attribute name must not be null");
    if (!ATTRIBUTE.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "attribute name must be 1 to 200 characters without whitespace but was '" + name + "'");
    }
  }

  private static String slot(String userId) {
    return HexFormat.of().formatHex(sha256(userId), 0, 2);
  }

  private static String handle(String secret) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(secret));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static String newSecret() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
  }

  /** Options of a session store; every one has a default. */
  public static final class Builder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private final StrataRedis redis;
    private String name = "default";
    private Duration idleTimeout = Duration.ofMinutes(30);
    private Duration absoluteTimeout;
    private int maxSessionsPerUser = 10;
    private int maxAttributes = 100;
    private int maxValueBytes = 64 * 1024;
    private Clock clock = Clock.systemUTC();

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

    /** How long a session lives without being read or written. Default 30 minutes. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = atLeastOneMilli(timeout, "idleTimeout");
      return this;
    }

    /**
     * How long a session lives at most from its creation, however active (rotations and logins keep
     * the creation time). Default: no limit.
     */
    public Builder absoluteTimeout(Duration timeout) {
      this.absoluteTimeout = atLeastOneMilli(timeout, "absoluteTimeout");
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

    /** The most attributes one session may hold. Default 100. */
    public Builder maxAttributes(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxAttributes must be at least 1 but was " + max);
      }
      this.maxAttributes = max;
      return this;
    }

    /** The largest attribute value, in UTF-8 bytes. Default 64 KiB. */
    public Builder maxValueBytes(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxValueBytes must be at least 1 but was " + max);
      }
      this.maxValueBytes = max;
      return this;
    }

    /**
     * The clock for creation times and the absolute lifetime. Default the system clock; tests pass
     * a fixed one to make every session of a burst share one millisecond.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /** The store; it keeps no state of its own beyond the options, so build it once and share. */
    public SessionStore build() {
      return new SessionStore(this);
    }

    private static Duration atLeastOneMilli(Duration timeout, String what) {
      Objects.requireNonNull(timeout, what + " must not be null");
      if (timeout.toMillis() <= 0) {
        throw new IllegalArgumentException(what + " must be at least 1 ms but was " + timeout);
      }
      return timeout;
    }
  }
}
