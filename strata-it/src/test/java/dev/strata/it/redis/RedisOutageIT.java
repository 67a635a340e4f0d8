package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.core.topology.Kind;
import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.FailMode;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.lock.DistributedLocks;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Stops Redis under a running application, then starts it again. Own class: it stops the stack's
 * Redis.
 */
@StrataTest
final class RedisOutageIT {

  @Test
  void cache_fails_open_or_closed_while_redis_is_down_then_recovers(StrataStack stack) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
    try (StrataRedis redis = StrataRedis.connect(stack.env().redis());
        DistributedLocks locks = new DistributedLocks(redis)) {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      StrataCache<String> open =
          StrataCache.builder(redis, "open", CacheCodec.string())
              .nearCache(100, Duration.ofMinutes(5))
              .meterRegistry(meters)
              .build();
      StrataCache<String> closed =
          StrataCache.builder(redis, "closed", CacheCodec.string())
              .failMode(FailMode.CLOSED)
              .build();
      open.put("k", "cached");
      assertThat(open.get("k", () -> "loaded")).isEqualTo("cached");
      assertThat(open.get("k", () -> "loaded")).isEqualTo("cached"); // now in the near cache

      stack.stop(Kind.REDIS);

      Wait.until(() -> open.get("k", () -> "from loader").equals("from loader"));
      AtomicInteger loads = new AtomicInteger();
      for (int i = 0; i < 50; i++) {
        assertThat(open.get("other", () -> "v" + loads.incrementAndGet())).startsWith("v");
      }
      assertThat(loads).as("nothing is cached while Redis is down").hasValue(50);
      assertThatThrownBy(() -> closed.get("k", () -> "never"))
          .isInstanceOfSatisfying(
              StrataException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENVIRONMENT))
          .hasMessageContaining("cache 'closed': Redis at")
          .hasMessageContaining("does not answer");
      assertThatThrownBy(() -> locks.lock("x").tryLock(Duration.ZERO, Duration.ofSeconds(1)))
          .isInstanceOf(StrataException.class)
          .hasMessageContaining("lock 'x'");
      assertThat(redis.health().isDown()).isTrue();
      assertThat(count(log, "WARN dev.strata.redis.connect.RedisHealth"))
          .as("one log line for the outage")
          .isEqualTo(1);
      assertThat(meters.get("strata.cache.errors").tag("type", "redis").counter().count())
          .isGreaterThanOrEqualTo(50);

      stack.start(Kind.REDIS);

      // each connection (the shared one, the near cache's) reconnects on its own schedule
      Wait.until(
          () -> {
            open.get("after", () -> "stored");
            return open.getIfPresent("after").isPresent() && answers(closed);
          });
      assertThat(redis.health().isDown()).isFalse();
      assertThat(closed.get("k2", () -> "loaded")).isEqualTo("loaded");
      assertThat(closed.get("k2", () -> "again")).isEqualTo("loaded");
      Wait.until(
          () -> {
            open.get("after", () -> "stored");
            return open.nearCacheSize() == 1;
          });
      assertThat(count(log, "INFO dev.strata.redis.connect.RedisHealth")).isEqualTo(1);
      open.close();
    } finally {
      System.setErr(originalErr);
    }
  }

  private static boolean answers(StrataCache<String> failClosed) {
    try {
      failClosed.getIfPresent("probe");
      return true;
    } catch (StrataException e) {
      return false;
    }
  }

  private static int count(ByteArrayOutputStream log, String text) {
    String s = log.toString(StandardCharsets.UTF_8);
    int n = 0;
    for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
      n++;
    }
    return n;
  }

  /** Writes to the real stderr and to a buffer the test reads. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
