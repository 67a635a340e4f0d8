package dev.strata.ops.redis;

import dev.strata.core.env.RedisEndpoint;
import dev.strata.ops.process.Exec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine's redis-cli, as one ACL user of one node; the password goes through the env. */
public final class RedisCli {
  private RedisCli() {}

  /** redis-cli as {@code user}; the password goes through the environment, never argv. */
  public static Exec as(Path cli, RedisEndpoint user, String... args) {
    List<String> command = new ArrayList<>(connection(cli, user.host(), user.port()));
    command.addAll(List.of("--user", user.user()));
    tls(command, user.tls() ? user.caFile() : null);
    command.addAll(List.of(args));
    return Exec.of(command).env("REDISCLI_AUTH", user.password()).timeout(Duration.ofSeconds(10));
  }

  /** redis-cli without credentials, as a client asking a Sentinel where the master is. */
  public static Exec anonymous(Path cli, String host, int port, Path ca, String... args) {
    List<String> command = new ArrayList<>(connection(cli, host, port));
    tls(command, ca);
    command.addAll(List.of(args));
    return Exec.of(command).timeout(Duration.ofSeconds(5));
  }

  private static List<String> connection(Path cli, String host, int port) {
    return List.of(
        cli.toString(), "-h", host, "-p", Integer.toString(port), "--no-auth-warning", "-e");
  }

  private static void tls(List<String> command, Path ca) {
    if (ca != null) {
      command.addAll(List.of("--tls", "--cacert", ca.toString()));
    }
  }

  /** The {@code key:value} lines of an {@code INFO} reply. */
  public static Map<String, String> info(String output) {
    Map<String, String> fields = new LinkedHashMap<>();
    output
        .lines()
        .map(String::trim)
        .filter(l -> !l.startsWith("#") && l.contains(":"))
        .forEach(l -> fields.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1)));
    return fields;
  }
}
