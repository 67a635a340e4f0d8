package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Refuses connections that go through a transaction pooler. A session advisory lock, {@code SET}
 * and a no-transaction migration all need one server session for the whole run; PgBouncer in
 * transaction mode hands each transaction to whichever server connection is free.
 */
final class PoolerCheck {
  /** PgBouncer's customary port. */
  static final int PGBOUNCER_PORT = 6432;

  private PoolerCheck() {}

  /**
   * Refuses {@code jdbcUrl} when it looks like a pooler: PgBouncer's port 6432, a host named like a
   * pooler ({@code *pooler*}, as Supabase and Neon name theirs), Prisma's {@code pgbouncer=true},
   * or pgjdbc's {@code prepareThreshold=0} (the setting for PgBouncer's transaction mode).
   */
  static void refuseIfPooled(String jdbcUrl) {
    String reason = poolerReason(jdbcUrl);
    if (reason != null) {
      throw pooled(reason);
    }
  }

  /**
   * Why {@code url} (jdbc:postgresql:, postgresql: or postgres:) goes through a pooler, naming the
   * part of it that says so; null when nothing does.
   */
  static String poolerReason(String url) {
    if (url == null) {
      return null;
    }
    String text = url.replaceFirst("^jdbc:", "").replaceFirst("^postgres://", "postgresql://");
    if (!text.startsWith("postgresql:")) {
      return null;
    }
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (uri.getPort() == PGBOUNCER_PORT) {
      return "its port 6432 is PgBouncer's";
    }
    if (host.contains("pooler") || host.contains("pgbouncer")) {
      return "its host " + host + " is a connection pooler";
    }
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    for (String pair : query.split("&")) {
      String[] kv = pair.split("=", 2);
      String key = kv[0].toLowerCase(Locale.ROOT);
      String value = kv.length > 1 ? kv[1].toLowerCase(Locale.ROOT) : "";
      if (key.equals("pgbouncer") && value.equals("true")) {
        return "its parameter pgbouncer=true says it goes through PgBouncer";
      }
      if (key.equals("preparethreshold") && value.equals("0")) {
        return "its parameter prepareThreshold=0 is the setting for PgBouncer's transaction mode";
      }
    }
    return null;
  }

  /**
   * Refuses a TCP connection that the server sees arrive over its Unix socket: something between
   * (PgBouncer as Strata runs it, or another pooler or proxy) relays the session, and a URL alone
   * does not always say so. A direct TCP connection always has a server port.
   */
  static void refuseIfRelayed(Connection c) throws SQLException {
    String url = c.getMetaData().getURL();
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      return;
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT inet_server_port() IS NULL")) {
      if (rs.next() && rs.getBoolean(1)) {
        throw pooled(
            "the URL is TCP but the server sees the session arrive over its Unix socket, so a"
                + " pooler or proxy relays it");
      }
    }
  }

  static StrataException pooled(String reason) {
    return StrataException.badInput(
        "migrations need a direct connection to PostgreSQL, and this URL goes through a pooler: "
            + reason
            + " (a transaction pooler loses the migration lock and session settings between"
            + " transactions)",
        "use the direct URL (DIRECT_URL in `strata env`, the owner role on PostgreSQL's own"
            + " port), not DATABASE_URL");
  }

  static StrataException lostSession() {
    return StrataException.badInput(
        "the connection does not keep one server session from one transaction to the next: it"
            + " goes through a transaction pooler (PgBouncer pool_mode=transaction?), which would"
            + " lose the migration lock",
        "use the direct URL (DIRECT_URL in `strata env`, the owner role on PostgreSQL's own"
            + " port), not DATABASE_URL");
  }
}
