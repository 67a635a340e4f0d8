package dev.strata.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
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
