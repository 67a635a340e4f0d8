package dev.strata.core.spec;

import java.util.List;

/** The {@code redis} section. */
public record RedisSpec(int port, DataSize maxmemory, String policy, String persistence) {

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

  public static final Section<RedisSpec> SECTION =
      new Section<>(
          "redis",
          "Redis server",
          List.of(PORT, MAXMEMORY, POLICY, PERSISTENCE),
          v -> new RedisSpec(v.get(PORT), v.get(MAXMEMORY), v.get(POLICY), v.get(PERSISTENCE)));

  public boolean appendOnly() {
    return persistence.contains("aof");
  }

  public boolean snapshots() {
    return persistence.contains("rdb");
  }
}
