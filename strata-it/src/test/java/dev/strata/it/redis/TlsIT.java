package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.ops.tls.Certificates;
import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.session.SessionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://}: a redis-server that speaks TLS only, its certificate signed by a CA made with
 * Strata's {@link Certificates}, and the library verifying it with that CA.
 */
final class TlsIT {
  private static RedisServers server;
  private static String url;

  @BeforeAll
  static void start() {
    server = RedisServers.tls();
    url = "rediss://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void connects_with_the_ca_from_redis_ca_and_caches_with_a_near_cache() {
    Map<String, String> env = Map.of("REDIS_URL", url, "REDIS_CA", server.caCert().toString());
    try (StrataRedis redis = StrataRedis.fromEnvironment(env::get);
        StrataCache<String> cache =
            StrataCache.builder(redis, "tls", CacheCodec.string())
                .nearCache(100, Duration.ofMinutes(1))
                .build()) {
      assertThat(cache.get("k", () -> "v")).isEqualTo("v");
      assertThat(cache.get("k", () -> "other")).isEqualTo("v");
      assertThat(cache.get("k", () -> "other")).isEqualTo("v");
      assertThat(cache.nearCacheSize()).isEqualTo(1);
      assertThat(SessionStore.builder(redis).build().create("tess", Map.of()).id()).isNotBlank();
    }
  }

  @Test
  void the_stacks_ca_in_pgsslrootcert_serves_when_redis_ca_is_unset() {
    Map<String, String> env = Map.of("REDIS_URL", url, "PGSSLROOTCERT", server.caCert().toString());
    try (StrataRedis redis = StrataRedis.fromEnvironment(env::get)) {
      assertThat(new String(redis.sync().echo("hi".getBytes()))).isEqualTo("hi");
    }
  }

  @Test
  void a_server_signed_by_another_ca_is_refused_naming_the_ca() throws Exception {
    Path other = Files.createTempDirectory("other-ca");
    Certificates stranger = new Certificates(other);
    stranger.ensureGenerated(Path.of("/usr/bin/openssl"), "127.0.0.1");

    assertThatThrownBy(
            () -> StrataRedis.builder(url).caCertificate(stranger.caCert()).build().close())
        .isInstanceOfSatisfying(
            StrataException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.ENVIRONMENT);
              assertThat(e.fix()).contains("REDIS_CA");
            })
        .hasMessageContaining("cannot connect to Redis at 127.0.0.1:" + server.port());
  }

  @Test
  void a_missing_ca_file_is_bad_input_naming_the_file() {
    assertThatThrownBy(
            () -> StrataRedis.builder(url).caCertificate(Path.of("/nonexistent/ca.crt")).build())
        .isInstanceOfSatisfying(
            StrataException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
        .hasMessageContaining("/nonexistent/ca.crt");
  }

  @Test
  void plain_redis_url_to_the_tls_port_fails_instead_of_hanging() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                StrataRedis.builder("redis://127.0.0.1:" + server.port())
                    .commandTimeout(Duration.ofSeconds(2))
                    .build()
                    .close())
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("cannot connect to Redis");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }
}
