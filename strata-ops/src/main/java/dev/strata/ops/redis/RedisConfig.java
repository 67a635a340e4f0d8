package dev.strata.ops.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.strata.core.spec.RedisSpec;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Renders redis.conf and the ACL file. */
public final class RedisConfig {
  private RedisConfig() {}

  public static String renderConf(RedisSpec redis, String bind, int port, Path dir) {
    StringBuilder conf =
        new StringBuilder(
            "# Written by strata up from strata.yaml; changes here are overwritten.\n");
    line(conf, "bind", bind);
    line(conf, "port", Integer.toString(port));
    line(conf, "protected-mode", "yes");
    line(conf, "daemonize", "yes");
    line(conf, "pidfile", dir.resolve("redis.pid").toString());
    line(conf, "logfile", dir.resolve("redis.log").toString());
    line(conf, "dir", dir.resolve("data").toString());
    line(conf, "aclfile", dir.resolve("users.acl").toString());
    line(conf, "maxmemory", Long.toString(redis.maxmemory().bytes()));
    line(conf, "maxmemory-policy", redis.policy());
    line(conf, "appendonly", redis.appendOnly() ? "yes" : "no");
    line(conf, "appendfsync", "everysec");
    line(conf, "save", redis.snapshots() ? "3600 1 300 100 60 10000" : "\"\"");
    line(conf, "latency-tracking", "yes");
    line(conf, "slowlog-log-slower-than", "10000");
    return conf.toString();
  }

  /**
   * Users: {@code default} off; {@code app} with every key and channel but no {@code @dangerous}
   * command (no KEYS, FLUSHALL, CONFIG, DEBUG...); {@code monitor} reading and INFO only. Passwords
   * are stored as SHA-256 hashes.
   */
  public static String renderAcl(String appPassword, String monitorPassword) {
    return "user default off nopass resetkeys resetchannels -@all\n"
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
