package dev.strata.core.env;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URLEncoder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to reach Redis as one ACL user. {@link #toString()} masks the password.
 *
 * @param tls whether the server speaks TLS ({@code rediss://})
 * @param caFile the CA that signed the server's certificate; {@code null} for a certificate the
 *     JDK's trust store verifies, or without TLS
 */
public record RedisEndpoint(
    String host, int port, String user, String password, boolean tls, Path caFile) {

  public RedisEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** An endpoint whose certificate, if any, the JDK's trust store verifies. */
  public RedisEndpoint(String host, int port, String user, String password, boolean tls) {
    this(host, port, user, password, tls, null);
  }

  /** The same server as another ACL user. */
  public RedisEndpoint as(String otherUser, String otherPassword) {
    return new RedisEndpoint(host, port, otherUser, otherPassword, tls, caFile);
  }

  /** {@code redis://user:password@host:port/0}, as Lettuce, redis-cli and most clients take it. */
  public String url() {
    return (tls ? "rediss://" : "redis://")
        + encode(user)
        + ':'
        + encode(password)
        + '@'
        + host
        + ':'
        + port
        + "/0";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "RedisEndpoint[" + user + "@" + host + ":" + port + ", password=<masked>]";
  }
}
