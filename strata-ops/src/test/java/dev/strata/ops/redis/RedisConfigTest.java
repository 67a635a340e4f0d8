package dev.strata.ops.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a replicated node's redis.conf and ACL file say. */
final class RedisConfigTest {
  private static final Path DIR = Path.of("/srv/redis-2");
  private static final RedisConfig.Listener TLS =
      new RedisConfig.Listener("127.0.0.1", 7001, Path.of("/srv/tls"));

  private static StrataSpec spec(String redis) {
    return SpecLoader.parse("redis:\n" + redis, "strata.yaml", name -> null);
  }

  @Test
  void a_sentinel_replica_follows_its_master_over_tls_as_the_replica_user() {
    String conf =
        RedisConfig.renderConf(
            spec("  mode: sentinel\n").redis(),
            TLS,
            DIR,
            new RedisConfig.Replication("127.0.0.1", 7000, "pw", 1, false));
    assertThat(conf)
        .contains("replicaof 127.0.0.1 7000\n")
        .contains("masteruser replica\n")
        .contains("masterauth pw\n")
        .contains("tls-replication yes\n")
        .contains("min-replicas-to-write 1\n")
        .doesNotContain("cluster-enabled");
  }

  @Test
  void a_cluster_node_enables_the_cluster_bus_over_tls_and_never_a_replicaof() {
    String conf =
        RedisConfig.renderConf(
            spec("  mode: cluster\n").redis(),
            TLS,
            DIR,
            new RedisConfig.Replication(null, 0, "pw", 0, true));
    assertThat(conf)
        .contains("cluster-enabled yes\n")
        .contains("cluster-port 17001\n")
        .contains("tls-cluster yes\n")
        .doesNotContain("replicaof")
        .doesNotContain("min-replicas-to-write");
    assertThat(RedisConfig.busPort(60000)).isEqualTo(50000);
  }

  @Test
  void the_replica_and_sentinel_users_get_only_what_replication_and_failover_need() {
    String acl = RedisConfig.renderAcl("a", "m", "s", "r", "x");
    String replica =
        acl.lines().filter(l -> l.startsWith("user replica ")).findFirst().orElseThrow();
    assertThat(replica).contains("+psync", "+replconf", "-@all").doesNotContain("~*");
    String sentinel =
        acl.lines().filter(l -> l.startsWith("user sentinel ")).findFirst().orElseThrow();
    assertThat(sentinel).contains("+replicaof", "+config|rewrite", "&__sentinel__:hello");
    assertThat(sentinel).doesNotContain("~*").doesNotContain("+@all");
    assertThat(RedisConfig.renderAcl("a", "m", "s")).doesNotContain("user replica");
  }
}
