package dev.strata.core.env;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URLEncoder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;

/**
 * How to reach one PostgreSQL database as one role: directly, or through PgBouncer ({@code
 * pooled}). {@link #toString()} masks the password.
 *
 * @param caFile the CA that signed the server certificate; {@code null} when TLS is off
 * @param poolKeepsPrepared a pooled endpoint whose PgBouncer keeps protocol-level prepared
 *     statements (1.21+ with {@code max_prepared_statements}): pgjdbc may prepare
 */
public record PgEndpoint(
    String host,
    int port,
    String database,
    String user,
    String password,
    Path caFile,
    boolean pooled,
    boolean poolKeepsPrepared) {

  /** An endpoint whose pooler (if {@code pooled}) keeps no prepared statements. */
  public PgEndpoint(
      String host,
      int port,
      String database,
      String user,
      String password,
      Path caFile,
      boolean pooled) {
    this(host, port, database, user, password, caFile, pooled, false);
  }

  public PgEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /**
   * The libpq URI ({@code postgresql://user:password@host:port/db?...}) that psql, Prisma and most
   * drivers take as it is. With TLS it carries {@code sslmode=verify-full} and the CA.
   */
  public String url() {
    return uri(true);
  }

  /** The same URI without the password, for tools that take it from {@code PGPASSWORD}. */
  public String urlWithoutPassword() {
    return uri(false);
  }

  private String uri(boolean withPassword) {
    StringBuilder url = new StringBuilder("postgresql://").append(encode(user));
    if (withPassword) {
      url.append(':').append(encode(password));
    }
    url.append('@').append(host).append(':').append(port).append('/').append(encode(database));
    if (caFile != null) {
      url.append("?sslmode=verify-full&sslrootcert=").append(encode(caFile.toString()));
    }
    return url.toString();
  }

  /**
   * The pgjdbc URL, without credentials (see {@link #user()}, {@link #password()}, {@link
   * #jdbcProperties()}). A pooled endpoint sets {@code prepareThreshold=0} unless its pool keeps
   * prepared statements: PgBouncer 1.18 in transaction mode keeps no server-side prepared statement
   * from one transaction to the next.
   */
  public String jdbcUrl() {
    StringBuilder url =
        new StringBuilder("jdbc:postgresql://")
            .append(host)
            .append(':')
            .append(port)
            .append('/')
            .append(encode(database));
    char sep = '?';
    if (caFile != null) {
      url.append(sep).append("sslmode=verify-full&sslrootcert=").append(encode(caFile.toString()));
      sep = '&';
    }
    if (pooled && !poolKeepsPrepared) {
      url.append(sep).append("prepareThreshold=0");
    }
    return url.toString();
  }

  /** {@code user} and {@code password} as pgjdbc properties, for {@code DriverManager}. */
  public Properties jdbcProperties() {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    return props;
  }

  /** The same endpoint as another role. */
  public PgEndpoint as(String otherUser, String otherPassword) {
    return new PgEndpoint(
        host, port, database, otherUser, otherPassword, caFile, pooled, poolKeepsPrepared);
  }

  /** The same server and role, another database. */
  public PgEndpoint database(String otherDatabase) {
    return new PgEndpoint(
        host, port, otherDatabase, user, password, caFile, pooled, poolKeepsPrepared);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "PgEndpoint["
        + user
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database
        + (pooled ? ", pooled" : "")
        + ", password=<masked>]";
  }
}
