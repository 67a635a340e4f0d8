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

  public static String renderConf(RedisSpec redis, String bind, int port, Path dir) {
    StringBuilder conf =
        new StringBuilder(
            "# Written by strata up from strata.yaml; changes here are overwritten.\n");
    line(conf, "daemonize", "yes");
    line(conf, "pidfile", dir.resolve("redis.pid").toString());
    line(conf, "logfile", dir.resolve("redis.log").toString());
    line(conf, "dir", dir.resolve("data").toString());
    line(conf, "aclfile", dir.resolve("users.acl").toString());
    liveSettings(redis, bind, port)
        .forEach((key, value) -> line(conf, key, value.isEmpty() ? "\"\"" : value));
    return conf.toString();
  }

  /**
   * The settings a running Redis takes with {@code CONFIG SET}, so a changed strata.yaml is applied
   * without a restart.
   */
  public static Map<String, String> liveSettings(RedisSpec redis, String bind, int port) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("bind", bind);
    settings.put("port", Integer.toString(port));
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

  /**
   * Users: {@code default} off; {@code app} with every key and channel but no {@code @dangerous}
   * command (no KEYS, FLUSHALL, CONFIG, DEBUG...); {@code monitor} reading and INFO only; {@code
   * strata}, Strata's own, to apply configuration changes (never handed to applications). Passwords
   * are stored as SHA-256 hashes.
   */
  public static String renderAcl(String appPassword, String monitorPassword, String adminPassword) {
    return "user default off nopass resetkeys resetchannels -@all\n"
        + "user strata on #"
        + sha256(adminPassword)
        + " ~* &* +@all\n"
        + "user app on #"
        + sha256(appPassword)
        + " ~* &* +@all -@dangerous\n"
        + "user monitor on #"
        + sha256(monitorPassword)
        + " ~* resetchannels -@all +@read +@connection +info +ping +slowlog|get +latency|latest +memory|stats +dbsize\n";
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
