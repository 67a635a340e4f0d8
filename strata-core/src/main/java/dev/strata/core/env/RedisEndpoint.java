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
 * @param nodes the Sentinels or cluster nodes behind it; {@link RedisNodes#SINGLE} for one server
 */
public record RedisEndpoint(
    String host,
    int port,
    String user,
    String password,
    boolean tls,
    Path caFile,
    RedisNodes nodes) {

  public RedisEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(nodes, "nodes");
  }

  /** One server. */
  public RedisEndpoint(
      String host, int port, String user, String password, boolean tls, Path caFile) {
    this(host, port, user, password, tls, caFile, RedisNodes.SINGLE);
  }

  /** An endpoint whose certificate, if any, the JDK's trust store verifies. */
  public RedisEndpoint(String host, int port, String user, String password, boolean tls) {
    this(host, port, user, password, tls, null);
  }

  /** The same server as another ACL user. */
  public RedisEndpoint as(String otherUser, String otherPassword) {
    return new RedisEndpoint(host, port, otherUser, otherPassword, tls, caFile, nodes);
  }

  /** The same endpoint verified with another CA. */
  public RedisEndpoint withCa(Path otherCa) {
    return new RedisEndpoint(host, port, user, password, tls, otherCa, nodes);
  }

  /**
   * {@code redis://user:password@host:port/0}, as Lettuce, redis-cli and most clients take it; with
   * Sentinels, Lettuce's {@code redis-sentinel://user:password@s1:p1,s2:p2/0#master} (the
   * credentials are the master's; the Sentinels answer discovery without them). A cluster is
   * reached through its first node, which tells the client the rest.
   */
  public String url() {
    if (!nodes.sentinels().isEmpty()) {
      return (tls ? "rediss-sentinel://" : "redis-sentinel://")
          + encode(user)
          + ':'
          + encode(password)
          + '@'
          + String.join(",", nodes.sentinels())
          + "/0#"
          + nodes.masterName();
    }
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
