package dev.strata.ops.advisor;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.AdvisorSpec;
import dev.strata.ops.stack.Stack;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis checks: memory against maxmemory, fragmentation, keys, the keyspace hit ratio,
 * replication, and big keys (SCAN, then MEMORY USAGE of at most {@code advisor.redis_scan_keys}
 * keys, so a large keyspace costs a bounded number of cheap commands). As Strata's own ACL user:
 * the monitor user reads no key, and sizing keys needs to name them.
 */
final class RedisChecks implements AutoCloseable {
  private static final long FRAGMENTATION_FLOOR = 64L * 1024 * 1024;
  private static final int SCAN_BATCH = 500;

  private final AdvisorSpec spec;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;

  RedisChecks(Stack stack) {
    this.spec = stack.spec().advisor();
    RedisEndpoint endpoint = admin(stack);
    RedisURI uri = RedisURI.create(endpoint.url());
    uri.setTimeout(Duration.ofSeconds(10));
    this.client = RedisClient.create(uri);
    ClientOptions.Builder options =
        ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(10)));
    if (endpoint.tls() && endpoint.caFile() != null) {
      options.sslOptions(
          SslOptions.builder().jdkSslProvider().trustManager(endpoint.caFile().toFile()).build());
    }
    client.setOptions(options.build());
    try {
      this.connection = client.connect(StringCodec.UTF8);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw StrataException.environment(
          "cannot connect to Redis at " + endpoint + ": " + e.getMessage(),
          "start the stack with `strata up` (check it with `strata status`)");
    }
    this.redis = connection.sync();
  }

  private static RedisEndpoint admin(Stack stack) {
    String password =
        Secrets.open(stack.stateDir().secretsFile())
            .require(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER));
    return stack.env().redis().as(StackEnvs.REDIS_ADMIN_USER, password);
  }

  RedisInfo info() {
    return new RedisInfo(redis.info("everything"));
  }

  /** Memory, fragmentation, keys, hit ratio and replication, from one INFO. */
  Section overview(RedisInfo info) {
    List<Finding> findings = new ArrayList<>();
    findings.add(memory(info));
    findings.add(fragmentation(info));
    findings.add(hitRatio(info));
    findings.add(replication(info));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("used_memory", info.number("used_memory"));
    row.put("maxmemory", info.number("maxmemory"));
    row.put("used_memory_rss", info.number("used_memory_rss"));
    row.put("mem_fragmentation_ratio", info.decimal("mem_fragmentation_ratio"));
    row.put("keys", info.keys());
    row.put("keyspace_hits", info.number("keyspace_hits"));
    row.put("keyspace_misses", info.number("keyspace_misses"));
    row.put("evicted_keys", info.number("evicted_keys"));
    row.put("role", info.get("role"));
    row.put("connected_slaves", info.number("connected_slaves"));
    return new Section("redis", findings, List.of(row));
  }

  private Finding memory(RedisInfo info) {
    long used = info.number("used_memory");
    long max = info.number("maxmemory");
    int warn = spec.get(AdvisorSpec.REDIS_MEMORY_PERCENT);
    String threshold =
        "warn at " + warn + "% (" + AdvisorSpec.path(AdvisorSpec.REDIS_MEMORY_PERCENT) + ")";
    if (max == 0) {
      return new Finding(
          "redis_memory",
          "redis",
          Verdict.WARN,
          Rows.bytes(used) + ", no maxmemory",
          threshold,
          "without maxmemory Redis grows until the machine swaps: set redis.maxmemory");
    }
    double percent = 100.0 * used / max;
    boolean high = percent >= warn;
    return new Finding(
        "redis_memory",
        "redis",
        high ? Verdict.WARN : Verdict.OK,
        Rows.bytes(used) + " of " + Rows.bytes(max) + " (" + PostgresChecks.pct(percent) + ")",
        threshold,
        high
            ? "Redis evicts (or refuses writes) at maxmemory: raise redis.maxmemory or look at the"
                + " big keys"
            : "");
  }

  private Finding fragmentation(RedisInfo info) {
    double ratio = info.decimal("mem_fragmentation_ratio");
    long rss = info.number("used_memory_rss");
    int warn = spec.get(AdvisorSpec.REDIS_FRAGMENTATION_PERCENT);
    String threshold =
        "warn past "
            + warn
            + "% ("
            + AdvisorSpec.path(AdvisorSpec.REDIS_FRAGMENTATION_PERCENT)
            + ") once resident memory passes 64mb";
    boolean fragmented = fragmented(info);
    return new Finding(
        "redis_fragmentation",
        "redis",
        fragmented ? Verdict.WARN : Verdict.OK,
        String.format(java.util.Locale.ROOT, "%.2f (rss %s)", ratio, Rows.bytes(rss)),
        threshold,
        fragmented ? "`strata maintain` asks the allocator to return pages (MEMORY PURGE)" : "");
  }

  boolean fragmented(RedisInfo info) {
    return info.number("used_memory_rss") >= FRAGMENTATION_FLOOR
        && info.decimal("mem_fragmentation_ratio") * 100
            > spec.get(AdvisorSpec.REDIS_FRAGMENTATION_PERCENT);
  }

  private Finding hitRatio(RedisInfo info) {
    long hits = info.number("keyspace_hits");
    long misses = info.number("keyspace_misses");
    int min = spec.get(AdvisorSpec.CACHE_HIT_PERCENT);
    String threshold =
        "warn under " + min + "% (" + AdvisorSpec.path(AdvisorSpec.CACHE_HIT_PERCENT) + ")";
    if (hits + misses < 1000) {
      return Finding.ok(
          "redis_hit_ratio",
          "redis",
          info.keys() + " keys, " + (hits + misses) + " lookups: too few to judge",
          threshold);
    }
    double p = 100.0 * hits / (hits + misses);
    return new Finding(
        "redis_hit_ratio",
        "redis",
        p < min ? Verdict.WARN : Verdict.OK,
        info.keys() + " keys, " + PostgresChecks.pct(p) + " hits",
        threshold,
        p < min ? "most lookups miss: check the cache's keys and TTLs" : "");
  }

  private static Finding replication(RedisInfo info) {
    String role = info.get("role");
    if ("slave".equals(role) && !"up".equals(info.get("master_link_status"))) {
      return new Finding(
          "redis_replication",
          "redis",
          Verdict.CRITICAL,
          "replica, link to its master " + info.get("master_link_status"),
          "",
          "the replica lost its master: check the master and `strata logs redis`");
    }
    return Finding.ok(
        "redis_replication",
        "redis",
        role + ", " + info.number("connected_slaves") + " replicas",
        "");
  }

  /** The keys bigger than {@code advisor.redis_big_key}, biggest first, among the sampled ones. */
  Section bigKeys() {
    long limit = spec.get(AdvisorSpec.REDIS_BIG_KEY).bytes();
    int max = spec.get(AdvisorSpec.REDIS_SCAN_KEYS);
    List<Map<String, Object>> big = new ArrayList<>();
    int measured = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    while (measured < max) {
      KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(SCAN_BATCH));
      for (String key : page.getKeys()) {
        if (measured++ >= max) {
          break;
        }
        Long bytes = redis.memoryUsage(key);
        if (bytes != null && bytes >= limit) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("key", key);
          row.put("type", redis.type(key));
          row.put("bytes", bytes);
          big.add(row);
        }
      }
      if (page.isFinished()) {
        break;
      }
      cursor = page;
    }
    big.sort(Comparator.comparingLong(r -> -((Long) r.get("bytes"))));
    String threshold =
        Rows.bytes(limit)
            + " ("
            + AdvisorSpec.path(AdvisorSpec.REDIS_BIG_KEY)
            + "), among at most "
            + max
            + " keys ("
            + AdvisorSpec.path(AdvisorSpec.REDIS_SCAN_KEYS)
            + ")";
    List<Finding> findings = new ArrayList<>();
    for (Map<String, Object> r : big.subList(0, Math.min(big.size(), 20))) {
      findings.add(
          new Finding(
              "redis_big_key",
              String.valueOf(r.get("key")),
              Verdict.WARN,
              r.get("type") + ", " + Rows.bytes((Long) r.get("bytes")),
              threshold,
              "a big key blocks Redis while it is read, written, copied to a replica or expired:"
                  + " split it, or delete it with UNLINK"));
    }
    if (findings.isEmpty()) {
      findings.add(
          Finding.ok("redis_big_key", "redis", "none among " + measured + " keys", threshold));
    }
    return new Section("redis_big_keys", findings, big);
  }

  /** Asks jemalloc to return dirty pages to the system; {@code OK} or Redis's error. */
  String memoryPurge() {
    return redis.dispatch(
        io.lettuce.core.protocol.CommandType.MEMORY,
        new io.lettuce.core.output.StatusOutput<>(StringCodec.UTF8),
        new io.lettuce.core.protocol.CommandArgs<>(StringCodec.UTF8).add("PURGE"));
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
