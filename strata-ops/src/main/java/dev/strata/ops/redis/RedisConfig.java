package dev.strata.ops.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.strata.core.spec.RedisSpec;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Renders redis.conf and the ACL file. */
public final class RedisConfig {
  private RedisConfig() {}

  /**
   * Where Redis listens.
   *
   * @param tlsDir the folder with the stack's CA, server certificate and key; {@code null} for
   *     plain TCP
   */
  public record Listener(String bind, int port, Path tlsDir) {
    boolean tls() {
      return tlsDir != null;
    }
  }

  /**
   * redis.conf. The listener (bind, port, TLS) is only here, not in {@link #liveSettings}: Strata
   * reaches a running Redis on the port it was started with, so a changed port or TLS mode waits
   * for a restart ({@code strata up --restart}) rather than moving under its clients.
   */
  /**
   * How a node takes part in replication.
   *
   * @param masterHost the master a replica starts following; {@code null} for a master, a single
   *     server and every cluster node (the cluster assigns roles itself)
   * @param replicaPassword the {@code replica} ACL user's password, which replicas authenticate to
   *     their master with ({@code masteruser}/{@code masterauth})
   * @param cluster whether the node is a Redis Cluster node
   */
  public record Replication(
      String masterHost,
      int masterPort,
      String replicaPassword,
      int minReplicasToWrite,
      boolean cluster) {
    /** A server on its own: no replication. */
    public static final Replication NONE = new Replication(null, 0, null, 0, false);
  }

  /**
   * A cluster node's bus port: Redis's usual port + 10000, or port - 10000 when that would pass
   * 65535 (a free port Strata picked can be that high).
   */
  public static int busPort(int port) {
    return port + 10000 <= 65535 ? port + 10000 : port - 10000;
  }

  /** The ACL user replicas authenticate to their master as. */
  public static final String REPLICA_USER = "replica";

  /** The ACL user Sentinels authenticate to the Redis nodes as. */
  public static final String SENTINEL_USER = "sentinel";

  /** redis.conf of a server on its own. */
  public static String renderConf(RedisSpec redis, Listener listener, Path dir) {
    return renderConf(redis, listener, dir, Replication.NONE);
  }

  /** redis.conf of a node that may replicate or belong to a cluster. */
  public static String renderConf(
      RedisSpec redis, Listener listener, Path dir, Replication replication) {
    StringBuilder conf =
        new StringBuilder(
            "# Written by strata up from strata.yaml; changes here are overwritten.\n");
    line(conf, "daemonize", "yes");
    line(conf, "bind", listener.bind());
    if (listener.tls()) {
      line(conf, "port", "0");
      line(conf, "tls-port", Integer.toString(listener.port()));
      line(conf, "tls-cert-file", listener.tlsDir().resolve("server.crt").toString());
      line(conf, "tls-key-file", listener.tlsDir().resolve("server.key").toString());
      line(conf, "tls-ca-cert-file", listener.tlsDir().resolve("ca.crt").toString());
      line(conf, "tls-auth-clients", "no");
      line(conf, "tls-protocols", "\"TLSv1.2 TLSv1.3\"");
    } else {
      line(conf, "port", Integer.toString(listener.port()));
    }
    line(conf, "pidfile", dir.resolve("redis.pid").toString());
    line(conf, "logfile", dir.resolve("redis.log").toString());
    line(conf, "dir", dir.resolve("data").toString());
    line(conf, "aclfile", dir.resolve("users.acl").toString());
    if (listener.tls()) {
      // replication and the cluster bus speak TLS too, with the same certificate both ways
      line(conf, "tls-replication", "yes");
      if (replication.cluster()) {
        line(conf, "tls-cluster", "yes");
      }
    }
    if (replication.replicaPassword() != null) {
      line(conf, "masteruser", REPLICA_USER);
      line(conf, "masterauth", replication.replicaPassword());
    }
    if (replication.masterHost() != null) {
      line(conf, "replicaof", replication.masterHost() + " " + replication.masterPort());
    }
    if (replication.cluster()) {
      line(conf, "cluster-enabled", "yes");
      line(conf, "cluster-port", Integer.toString(busPort(listener.port())));
      line(conf, "cluster-config-file", dir.resolve("data").resolve("nodes.conf").toString());
      // a dead master's replica is promoted after this long without an answer
      line(conf, "cluster-node-timeout", "3000");
    }
    liveSettings(redis, listener, replication)
        .forEach((key, value) -> line(conf, key, value.isEmpty() ? "\"\"" : value));
    return conf.toString();
  }

  /**
   * The settings a running Redis takes with {@code CONFIG SET}, so a changed strata.yaml is applied
   * without a restart.
   */
  public static Map<String, String> liveSettings(RedisSpec redis, Listener listener) {
    return liveSettings(redis, listener, Replication.NONE);
  }

  /** The live settings of a node that may replicate. */
  public static Map<String, String> liveSettings(
      RedisSpec redis, Listener listener, Replication replication) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("protected-mode", "yes");
    settings.put("maxmemory", Long.toString(redis.maxmemory().bytes()));
    settings.put("maxmemory-policy", redis.policy());
    settings.put("appendonly", redis.appendOnly() ? "yes" : "no");
    settings.put("appendfsync", "everysec");
    settings.put("save", redis.snapshots() ? "3600 1 300 100 60 10000" : "");
    settings.put("latency-tracking", "yes");
    settings.put("slowlog-log-slower-than", "10000");
    if (replication.minReplicasToWrite() > 0) {
      // a master that lost its replicas stops acknowledging writes a failover would lose
      settings.put("min-replicas-to-write", Integer.toString(replication.minReplicasToWrite()));
      settings.put("min-replicas-max-lag", "10");
    }
    return settings;
  }

  /** What every client library runs when it connects (ioredis, BullMQ, Lettuce, redis-py). */
  static final String CONNECT = "+hello +client|setname +client|getname +client|id +client|info";

  /**
   * Users: {@code default} off; {@code app} with every key and channel but no {@code @dangerous}
   * command (no KEYS, FLUSHALL, CONFIG, DEBUG, CLIENT KILL...) except INFO, which client libraries
   * ask at connect (BullMQ refuses to start without it); {@code monitor} with what monitoring needs
   * (INFO, PING, SLOWLOG GET, LATENCY, CLIENT LIST, DBSIZE, MEMORY STATS) and no key, so it reads
   * no session or cache entry; {@code strata}, Strata's own, to apply configuration changes (never
   * handed to applications). Passwords are stored as SHA-256 hashes.
   */
  public static String renderAcl(String appPassword, String monitorPassword, String adminPassword) {
    return renderAcl(appPassword, monitorPassword, adminPassword, null, null);
  }

  /**
   * The users of {@link #renderAcl(String, String, String)} and, for replicated nodes, {@code
   * replica} (what a replica runs on its master: PSYNC, REPLCONF, PING) and {@code sentinel} (what
   * Redis's documentation lists for Sentinel: INFO, ROLE, REPLICAOF, CONFIG REWRITE, CLIENT KILL,
   * MULTI/EXEC, its hello channel); a {@code null} password leaves the user out.
   */
  public static String renderAcl(
      String appPassword,
      String monitorPassword,
      String adminPassword,
      String replicaPassword,
      String sentinelPassword) {
    String replication = "";
    if (replicaPassword != null) {
      replication +=
          "user "
              + REPLICA_USER
              + " on #"
              + sha256(replicaPassword)
              + " resetkeys resetchannels -@all +psync +replconf +ping "
              + CONNECT
              + "\n";
    }
    if (sentinelPassword != null) {
      replication +=
          "user "
              + SENTINEL_USER
              + " on #"
              + sha256(sentinelPassword)
              + " resetkeys &__sentinel__:hello -@all +multi +exec +slaveof +replicaof +ping"
              + " +info +role +config|rewrite +client|kill +script|kill +subscribe +publish"
              + " +unsubscribe "
              + CONNECT
              + "\n";
    }
    return base(appPassword, monitorPassword, adminPassword) + replication;
  }

  private static String base(String appPassword, String monitorPassword, String adminPassword) {
    return "user default off nopass resetkeys resetchannels -@all\n"
        + "user strata on #"
        + sha256(adminPassword)
        + " ~* &* +@all\n"
        + "user app on #"
        + sha256(appPassword)
        + " ~* &* +@all -@dangerous +info "
        + CONNECT
        + "\n"
        + "user monitor on #"
        + sha256(monitorPassword)
        + " resetkeys resetchannels -@all +ping +info +slowlog|get +slowlog|len +latency"
        + " +client|list +dbsize +memory|stats "
        + CONNECT
        + "\n";
  }

  private static void line(StringBuilder conf, String key, String value) {
    conf.append(key).append(' ').append(value).append('\n');
  }

  static String sha256(String password) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
