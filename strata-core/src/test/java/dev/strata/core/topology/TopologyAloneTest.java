package dev.strata.core.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.env.StackState;
import dev.strata.core.spec.SpecLoader;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Topology#alone}: a restored copy's topology names the copy and no other node. */
final class TopologyAloneTest {
  @Test
  void alone_keeps_one_node_of_the_kind_on_the_live_port_and_every_other_kind() {
    Topology t =
        Topology.resolve(
            SpecLoader.parse(
                "postgres:\n  port: 5500\n  nodes: 3\n  etcd_members: 1\n",
                "strata.yaml",
                n -> null),
            StackState.load(Path.of("/nonexistent/state.json")),
            Optional.empty());
    assertThat(t.of(Kind.POSTGRES)).hasSize(3);
    Topology copy = t.alone("postgres-1", 6543);
    assertThat(copy.of(Kind.POSTGRES)).extracting(Instance::id).containsExactly("postgres-1");
    assertThat(copy.first(Kind.POSTGRES).port()).isEqualTo(6543);
    assertThat(copy.of(Kind.POOLER)).isEqualTo(t.of(Kind.POOLER));
    assertThat(copy.of(Kind.ETCD)).isEqualTo(t.of(Kind.ETCD));
    assertThat(t.of(Kind.POSTGRES)).as("the stack's own topology is unchanged").hasSize(3);
  }
}
