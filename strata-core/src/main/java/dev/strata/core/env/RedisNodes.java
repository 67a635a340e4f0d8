package dev.strata.core.env;

import java.util.List;
import java.util.Objects;

/**
 * The servers behind a Redis endpoint besides the one it names: the Sentinels that know the current
 * master, or every node of a Redis Cluster.
 *
 * @param sentinels {@code host:port} of each Sentinel; empty unless {@code redis.mode: sentinel}
 * @param masterName the name the Sentinels monitor the master under
 * @param clusterNodes {@code host:port} of each cluster node; empty unless {@code redis.mode:
 *     cluster}
 */
public record RedisNodes(List<String> sentinels, String masterName, List<String> clusterNodes) {
  /** One server on its own. */
  public static final RedisNodes SINGLE = new RedisNodes(List.of(), "", List.of());

  /** The name Strata's Sentinels monitor the master under. */
  public static final String MASTER_NAME = "strata";

  public RedisNodes {
    sentinels = List.copyOf(sentinels);
    clusterNodes = List.copyOf(clusterNodes);
    Objects.requireNonNull(masterName, "masterName");
  }

  /** A master and its replicas behind these Sentinels. */
  public static RedisNodes sentinel(List<String> sentinels) {
    return new RedisNodes(sentinels, MASTER_NAME, List.of());
  }

  /** A Redis Cluster of these nodes. */
  public static RedisNodes cluster(List<String> nodes) {
    return new RedisNodes(List.of(), "", nodes);
  }
}
