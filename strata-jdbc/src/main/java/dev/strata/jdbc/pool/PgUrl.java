package dev.strata.jdbc.pool;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A libpq connection URI ({@code postgresql://user:password@host:port[,host:port]/db?...}, the form
 * of {@code DATABASE_URL}, {@code DIRECT_URL} and {@code READ_DATABASE_URL}) as pgjdbc takes it: a
 * {@code jdbc:postgresql://} URL without credentials, and the user and password apart, so they
 * never end up in a URL that is logged. libpq's parameters that pgjdbc names differently are
 * translated ({@code target_session_attrs=read-write} → {@code targetServerType=primary}, {@code
 * application_name} → {@code ApplicationName}, {@code connect_timeout} → {@code connectTimeout});
 * {@code sslmode} and {@code sslrootcert} mean the same to both.
 *
 * @param jdbcUrl the pgjdbc URL, without user or password
 * @param user the role, decoded
 * @param password the password, decoded; empty when the URI has none
 */
public record PgUrl(String jdbcUrl, String user, String password) {
  private static final Map<String, String> LIBPQ_TO_PGJDBC =
      Map.of(
          "application_name", "ApplicationName",
          "connect_timeout", "connectTimeout",
          "target_session_attrs", "targetServerType");

  public PgUrl {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /**
   * Parses {@code uri}.
   *
   * @throws IllegalArgumentException when it is not a {@code postgres://} or {@code postgresql://}
   *     URI with a user, a host and a database
   */
  public static PgUrl parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    int scheme = uri.indexOf("://");
    String prefix = scheme < 0 ? "" : uri.substring(0, scheme);
    if (!prefix.equals("postgresql") && !prefix.equals("postgres")) {
      throw new IllegalArgumentException(
          "not a PostgreSQL URI (postgresql://user:password@host:port/database): " + redact(uri));
    }
    String rest = uri.substring(scheme + 3);
    int at = rest.lastIndexOf('@');
    int slash = rest.indexOf('/', Math.max(at, 0));
    if (at < 0 || slash < 0) {
      throw new IllegalArgumentException(
          "a PostgreSQL URI needs a user, a host and a database (postgresql://user:password@host:port"
              + "/database): "
              + redact(uri));
    }
    String userInfo = rest.substring(0, at);
    String hosts = rest.substring(at + 1, slash);
    int q = rest.indexOf('?', slash);
    String database = q < 0 ? rest.substring(slash + 1) : rest.substring(slash + 1, q);
    int colon = userInfo.indexOf(':');
    String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
    String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    if (user.isEmpty() || hosts.isEmpty() || database.isEmpty()) {
      throw new IllegalArgumentException(
          "a PostgreSQL URI needs a user, a host and a database: " + redact(uri));
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (q >= 0) {
      for (String pair : rest.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (name.equals("target_session_attrs")) {
          value = targetServerType(value);
        }
        params.put(LIBPQ_TO_PGJDBC.getOrDefault(name, name), value);
      }
    }
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(hosts).append('/');
    jdbc.append(database);
    char sep = '?';
    for (Map.Entry<String, String> p : params.entrySet()) {
      jdbc.append(sep).append(p.getKey()).append('=').append(encode(p.getValue()));
      sep = '&';
    }
    return new PgUrl(jdbc.toString(), user, password);
  }

  private static String targetServerType(String libpq) {
    return switch (libpq) {
      case "read-write", "primary" -> "primary";
      case "read-only", "standby" -> "secondary";
      case "prefer-standby" -> "preferSecondary";
      default -> "any";
    };
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The URI with its password replaced, for a message. */
  static String redact(String uri) {
    return uri.replaceFirst("(://[^:/@]*:)[^@]*@", "$1***@");
  }

  @Override
  public String toString() {
    return "PgUrl[" + jdbcUrl + ", user=" + user + "]";
  }
}
