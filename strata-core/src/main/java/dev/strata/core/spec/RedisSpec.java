package dev.strata.core.spec;

import java.util.List;
import java.util.Optional;

/** The {@code redis} section. Built from the validated {@link Values} by key, never by position. */
public final class RedisSpec {

  public static final Key<Integer> PORT =
      Key.of("port", Types.port(), 6379, "TCP port Redis listens on.");
  public static final Key<DataSize> MAXMEMORY =
      Key.of(
          "maxmemory",
          Types.size(DataSize.ofMegabytes(1)),
          DataSize.ofMegabytes(256),
          "Memory limit; past it Redis evicts keys by the policy.");
  public static final Key<String> POLICY =
      Key.of(
          "policy",
          Types.oneOf(
              "allkeys-lru",
              "allkeys-lfu",
              "allkeys-random",
              "volatile-lru",
              "volatile-lfu",
              "volatile-random",
              "volatile-ttl",
              "noeviction"),
          "allkeys-lru",
          "Eviction policy when maxmemory is reached.");
  public static final Key<String> PERSISTENCE =
      Key.of(
          "persistence",
          Types.oneOf("aof+rdb", "aof", "rdb", "none"),
          "aof+rdb",
          "Append-only file (fsync every second) and/or RDB snapshots.");
  public static final Key<Optional<Boolean>> TLS =
      Key.of(
          "tls",
          Types.autoOr(Types.bool()),
          Optional.empty(),
          "TLS for Redis (rediss://), with the certificate of security.tls; auto follows"
              + " security.tls.");

  /**
   * The section on its own resolves {@code tls: auto} against the default of {@code security.tls};
   * {@link StrataSpec} builds it with the file's security section instead.
   */
  public static final Section<RedisSpec> SECTION =
      new Section<>(
          "redis",
          "Redis server",
          List.of(PORT, MAXMEMORY, POLICY, PERSISTENCE, TLS),
          v -> new RedisSpec(v, SecuritySpec.TLS.defaultValue()));

  private final Values values;
  private final boolean securityTls;

  private RedisSpec(Values values, boolean securityTls) {
    this.values = values;
    this.securityTls = securityTls;
  }

  /** The section read from {@code redis}, with {@code tls: auto} following {@code security}. */
  static RedisSpec of(Values redis, SecuritySpec security) {
    return new RedisSpec(redis, security.tls());
  }

  public int port() {
    return values.get(PORT);
  }

  public DataSize maxmemory() {
    return values.get(MAXMEMORY);
  }

  public String policy() {
    return values.get(POLICY);
  }

  public String persistence() {
    return values.get(PERSISTENCE);
  }

  /** Whether Redis serves TLS: {@code redis.tls}, or {@code security.tls} when that is auto. */
  public boolean tls() {
    return values.get(TLS).orElse(securityTls);
  }

  public boolean appendOnly() {
    return persistence().contains("aof");
  }

  public boolean snapshots() {
    return persistence().contains("rdb");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedisSpec other && values.equals(other.values) && tls() == other.tls();
  }

  @Override
  public int hashCode() {
    return values.hashCode() * 31 + Boolean.hashCode(tls());
  }

  @Override
  public String toString() {
    return values + "(tls=" + tls() + ")";
  }
}
