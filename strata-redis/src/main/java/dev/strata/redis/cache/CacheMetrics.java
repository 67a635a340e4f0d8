package dev.strata.redis.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one cache, all tagged {@code cache=<name>}: {@code strata.cache.gets}
 * (result=l1_hit|l2_hit|miss), {@code strata.cache.loads} (result=success|failure), {@code
 * strata.cache.load.duration}, {@code strata.cache.evictions} (level=l1), {@code
 * strata.cache.invalidations} (source=local|remote), {@code strata.cache.early.refreshes}, {@code
 * strata.cache.errors} (type=redis|decode|write_skipped|load_wait_timeout|near_race_discard). Every
 * error the cache swallows is counted here. Built once; the hot path only increments.
 */
final class CacheMetrics {
  final Counter l1Hits;
  final Counter l2Hits;
  final Counter misses;
  final Counter loadSuccesses;
  final Counter loadFailures;
  final Timer loadTime;
  final Counter l1Evictions;
  final Counter localInvalidations;
  final Counter remoteInvalidations;
  final Counter earlyRefreshes;
  final Counter redisErrors;
  final Counter decodeErrors;
  final Counter writesSkipped;
  final Counter loadWaitTimeouts;
  final Counter raceDiscards;

  CacheMetrics(MeterRegistry registry, String cache) {
    l1Hits = counter(registry, "strata.cache.gets", cache, "result", "l1_hit");
    l2Hits = counter(registry, "strata.cache.gets", cache, "result", "l2_hit");
    misses = counter(registry, "strata.cache.gets", cache, "result", "miss");
    loadSuccesses = counter(registry, "strata.cache.loads", cache, "result", "success");
    loadFailures = counter(registry, "strata.cache.loads", cache, "result", "failure");
    loadTime =
        Timer.builder("strata.cache.load.duration")
            .description("time spent in loaders")
            .tag("cache", cache)
            .register(registry);
    l1Evictions = counter(registry, "strata.cache.evictions", cache, "level", "l1");
    localInvalidations = counter(registry, "strata.cache.invalidations", cache, "source", "local");
    remoteInvalidations =
        counter(registry, "strata.cache.invalidations", cache, "source", "remote");
    earlyRefreshes =
        Counter.builder("strata.cache.early.refreshes").tag("cache", cache).register(registry);
    redisErrors = counter(registry, "strata.cache.errors", cache, "type", "redis");
    decodeErrors = counter(registry, "strata.cache.errors", cache, "type", "decode");
    writesSkipped = counter(registry, "strata.cache.errors", cache, "type", "write_skipped");
    loadWaitTimeouts = counter(registry, "strata.cache.errors", cache, "type", "load_wait_timeout");
    raceDiscards = counter(registry, "strata.cache.errors", cache, "type", "near_race_discard");
  }

  private static Counter counter(
      MeterRegistry registry, String name, String cache, String tag, String value) {
    return Counter.builder(name).tag("cache", cache).tag(tag, value).register(registry);
  }
}
