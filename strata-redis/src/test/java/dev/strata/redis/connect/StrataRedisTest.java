package dev.strata.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.RedisNodes;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class StrataRedisTest {
  @Test
  void malformed_url_is_bad_input_and_masks_the_password() {
    assertThatThrownBy(() -> StrataRedis.connect("redis://app:s3cret@ho st:6379/0"))
        .isInstanceOfSatisfying(
            StrataException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
              assertThat(e.fix()).contains("strata env");
            })
        .hasMessageContaining("not a Redis URL")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void nothing_listening_is_an_environment_error_naming_the_address() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    RedisEndpoint endpoint = new RedisEndpoint("127.0.0.1", port, "app", "s3cret", false);

    assertThatThrownBy(() -> StrataRedis.connect(endpoint))
        .isInstanceOfSatisfying(
            StrataException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENVIRONMENT))
        .hasMessageContaining("cannot connect to Redis at 127.0.0.1:" + port)
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void a_sentinel_endpoint_keeps_its_sentinels_master_and_credentials_through_the_timeout_copy() {
    RedisEndpoint endpoint =
        new RedisEndpoint(
            "127.0.0.1",
            6379,
            "app",
            "p@ss word",
            true,
            null,
            RedisNodes.sentinel(List.of("127.0.0.1:26379", "127.0.0.1:26380", "127.0.0.1:26381")));
    assertThat(endpoint.url()).startsWith("rediss-sentinel://app:p%40ss%20word@127.0.0.1:26379,");

    RedisURI copy = StrataRedis.withTimeout(RedisURI.create(endpoint.url()), Duration.ofSeconds(7));

    assertThat(copy.getSentinels())
        .extracting(RedisURI::getPort)
        .containsExactly(26379, 26380, 26381);
    assertThat(copy.getSentinels()).allMatch(RedisURI::isSsl);
    assertThat(copy.getSentinelMasterId()).isEqualTo(RedisNodes.MASTER_NAME);
    assertThat(copy.getUsername()).isEqualTo("app");
    assertThat(new String(copy.getPassword())).isEqualTo("p@ss word");
    assertThat(copy.getTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(copy.isSsl()).isTrue();
  }

  @Test
  void cluster_seeds_carry_the_urls_credentials_and_tls_to_every_node() {
    RedisURI uri = RedisURI.create("rediss://app:s3cret@127.0.0.1:7000/0");
    List<RedisURI> seeds = StrataRedis.seeds(uri, List.of("127.0.0.1:7001", "[::1]:7002"));
    assertThat(seeds).extracting(RedisURI::getPort).containsExactly(7001, 7002);
    assertThat(seeds).extracting(RedisURI::getHost).containsExactly("127.0.0.1", "::1");
    assertThat(seeds).allMatch(RedisURI::isSsl);
    assertThat(seeds).extracting(RedisURI::getUsername).containsOnly("app");
    assertThat(new String(seeds.get(1).getPassword())).isEqualTo("s3cret");
    assertThatThrownBy(() -> StrataRedis.builder(uri).clusterSeeds(List.of("no-port")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host:port");
  }

  @Test
  void builder_refuses_non_positive_durations_with_their_value() {
    StrataRedis.Builder builder = StrataRedis.builder(RedisURI.create("redis://localhost"));
    assertThatThrownBy(() -> builder.commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commandTimeout must be positive but was PT0S");
    assertThatThrownBy(() -> builder.reconnectDelayMax(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reconnectDelayMax must be positive but was PT-1S");
  }

  @Test
  void missing_redis_url_is_bad_input_that_points_to_strata_env() {
    assertThatThrownBy(() -> StrataRedis.fromEnvironment(name -> null))
        .isInstanceOfSatisfying(
            StrataException.class, e -> assertThat(e.fix()).contains("strata env"))
        .hasMessage("REDIS_URL is not set");
  }
}
