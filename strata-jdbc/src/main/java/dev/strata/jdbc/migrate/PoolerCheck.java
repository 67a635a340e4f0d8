package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.net.URI;
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
   * pooler ({@code *pooler*}, as Supabase and Neon name theirs), or Prisma's {@code
   * pgbouncer=true}.
   */
  static void refuseIfPooled(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      return;
    }
    String reason = null;
    try {
      URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      String query = uri.getQuery() == null ? "" : uri.getQuery().toLowerCase(Locale.ROOT);
      if (uri.getPort() == PGBOUNCER_PORT) {
        reason = "port 6432 is PgBouncer's";
      } else if (host.contains("pooler") || host.contains("pgbouncer")) {
        reason = "host " + host + " is a connection pooler";
      } else if (query.contains("pgbouncer=true")) {
        reason = "it says pgbouncer=true";
      } else if (query.contains("preparethreshold=0")) {
        reason = "prepareThreshold=0 is the setting for PgBouncer's transaction mode";
      }
    } catch (IllegalArgumentException e) {
      return;
    }
    if (reason != null) {
      throw pooled(jdbcUrl.replaceAll("password=[^&]*", "password=<masked>"), reason);
    }
  }

  static StrataException pooled(String url, String reason) {
    return StrataException.badInput(
        "migrations need a direct connection to PostgreSQL, and "
            + url
            + " goes through a pooler ("
            + reason
            + "): a transaction pooler loses the migration lock and session settings between"
            + " transactions",
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
