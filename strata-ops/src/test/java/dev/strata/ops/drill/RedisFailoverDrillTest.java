package dev.strata.ops.drill;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.core.spec.SpecLoader;
import dev.strata.ops.stack.Stack;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RedisFailoverDrillTest {
  @TempDir Path project;

  @Test
  void a_stack_without_sentinels_is_refused_with_the_mode_to_set() {
    Stack stack =
        new Stack(
            project, SpecLoader.parse("redis:\n  port: 0\n", "strata.yaml", n -> null), l -> {});
    assertThatThrownBy(
            () -> new RedisFailoverDrill(stack, l -> {}).run(RedisFailoverDrill.Fault.KILL, 1))
        .isInstanceOfSatisfying(
            StrataException.class,
            e -> {
              org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
              org.assertj.core.api.Assertions.assertThat(e.fix())
                  .contains("redis.mode: sentinel (or cluster)");
            })
        .hasMessageContaining("this stack's is single");
  }
}
