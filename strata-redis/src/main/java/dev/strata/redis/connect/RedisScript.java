package dev.strata.redis.connect;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), sent in full ({@code EVAL}) only when the server
 * does not know it yet — after a restart, for instance.
 */
public final class RedisScript {
  private final String source;
  private final String sha;

  /** A script with this Lua source; its SHA-1 is computed once, here. */
  public RedisScript(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /**
   * Runs the script.
   *
   * @param <T> the Java type Lettuce gives for {@code type}
   */
  public <T> T run(
      RedisClusterCommands<String, byte[]> commands,
      ScriptOutputType type,
      String[] keys,
      byte[]... args) {
    try {
      return commands.evalsha(sha, type, keys, args);
    } catch (RedisNoScriptException e) {
      return commands.eval(source, type, keys, args);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-1", e);
    }
  }

  /** UTF-8 bytes of {@code s}, for script arguments. */
  public static byte[] arg(String s) {
    return s.getBytes(UTF_8);
  }

  /** Decimal bytes of {@code n}, for script arguments. */
  public static byte[] arg(long n) {
    return Long.toString(n).getBytes(UTF_8);
  }
}
