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
  public static String renderConf(RedisSpec redis, Listener listener, Path dir) {
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
    liveSettings(redis, listener)
        .forEach((key, value) -> line(conf, key, value.isEmpty() ? "\"\"" : value));
    return conf.toString();
  }

  /**
   * The settings a running Redis takes with {@code CONFIG SET}, so a changed strata.yaml is applied
   * without a restart.
   */
  public static Map<String, String> liveSettings(RedisSpec redis, Listener listener) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("protected-mode", "yes");
    settings.put("maxmemory", Long.toString(redis.maxmemory().bytes()));
    settings.put("maxmemory-policy", redis.policy());
    settings.put("appendonly", redis.appendOnly() ? "yes" : "no");
    settings.put("appendfsync", "everysec");
    settings.put("save", redis.snapshots() ? "3600 1 300 100 60 10000" : "");
    settings.put("latency-tracking", "yes");
    settings.put("slowlog-log-slower-than", "10000");
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

  private static String sha256(String password) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
