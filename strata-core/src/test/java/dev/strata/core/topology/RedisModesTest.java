package dev.strata.core.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.env.StackState;
import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The instances each {@code redis.mode} asks for, and min-replicas-to-write's cap. */
final class RedisModesTest {
  private static StrataSpec spec(String redis) {
    return SpecLoader.parse("redis:\n" + redis, "strata.yaml", name -> null);
  }

  private static Topology topology(StrataSpec spec) {
    return Topology.resolve(
        spec, StackState.load(Path.of("/nonexistent/state.json")), Optional.empty());
  }

  @Test
  void single_is_the_default_one_node_and_no_sentinel() {
    Topology t = topology(spec("  port: 6379\n"));
    assertThat(t.of(Kind.REDIS)).hasSize(1);
    assertThat(t.of(Kind.SENTINEL)).isEmpty();
  }

  @Test
  void sentinel_mode_runs_master_replicas_and_three_sentinels_on_consecutive_ports() {
    StrataSpec spec = spec("  mode: sentinel\n  replicas: 2\n  sentinel_port: 26000\n");
    Topology t = topology(spec);
    assertThat(t.of(Kind.REDIS))
        .extracting(Instance::role)
        .containsExactly("master", "replica", "replica");
    assertThat(t.of(Kind.SENTINEL)).extracting(Instance::port).containsExactly(26000, 26001, 26002);
    assertThat(spec.redis().minReplicasToWrite()).isEqualTo(1);
    assertThat(Topology.portKey(t.first(Kind.SENTINEL))).isEqualTo("redis.sentinel_port");
  }

  @Test
  void one_replica_turns_min_replicas_to_write_off_so_the_promoted_replica_takes_writes() {
    assertThat(spec("  mode: sentinel\n  replicas: 1\n").redis().minReplicasToWrite()).isZero();
    assertThat(
            spec("  mode: sentinel\n  replicas: 3\n  min_replicas_to_write: 2\n")
                .redis()
                .minReplicasToWrite())
        .isEqualTo(2);
  }

  @Test
  void cluster_mode_runs_masters_times_one_plus_replicas_with_the_first_as_masters() {
    Topology t = topology(spec("  mode: cluster\n  masters: 3\n  replicas_per_master: 1\n"));
    assertThat(t.of(Kind.REDIS))
        .extracting(Instance::role)
        .containsExactly("master", "master", "master", "replica", "replica", "replica");
    assertThat(t.of(Kind.SENTINEL)).isEmpty();
  }
}
