package dev.strata.jdbc.pool;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A statement that needs one server session across transactions, which PgBouncer's transaction mode
 * does not give: the next transaction of the same client may run on another server connection, and
 * the next client may get this one, state and all.
 */
public enum PoolerHazard {
  SESSION_SET(
      "SET without LOCAL",
      "^SET\\s+(SESSION\\s+)?(?!LOCAL\\b|TRANSACTION\\b|CONSTRAINTS?\\b|("
          + Tracked.NAMES
          + ")\\b)",
      "the setting stays on the server connection: this client's next transaction may not see it,"
          + " and another client's will",
      "use SET LOCAL (or set_config(name, value, true)) inside the transaction that needs it; for"
          + " a default of every session, ALTER ROLE ... SET or ALTER DATABASE ... SET"),
  SESSION_ADVISORY_LOCK(
      "session advisory lock",
      "\\bpg_(try_)?advisory_lock(_shared)?\\s*\\(",
      "the lock belongs to the server connection: the unlock may run on another one, and the lock"
          + " outlives the client",
      "use pg_advisory_xact_lock (released at commit), or take the lock over DIRECT_URL"),
  LISTEN(
      "LISTEN",
      "^LISTEN\\b",
      "notifications go to the server connection that listened, which another client holds by"
          + " then",
      "LISTEN on a dedicated direct connection (DIRECT_URL), not through the pool"),
  WITH_HOLD_CURSOR(
      "WITH HOLD cursor",
      "^DECLARE\\b.*\\bWITH\\s+HOLD\\b",
      "the cursor outlives its transaction on a server connection this client may not get again",
      "declare the cursor WITHOUT HOLD and read it inside one transaction, or page with a keyset"
          + " (WHERE id > last ORDER BY id LIMIT n)"),
  TEMPORARY_TABLE(
      "temporary table",
      "^(CREATE\\s+(OR\\s+REPLACE\\s+)?(GLOBAL\\s+|LOCAL\\s+)?TEMP(ORARY)?\\s+(TABLE|VIEW|SEQUENCE)\\b"
          + "(?!.*\\bON\\s+COMMIT\\s+DROP\\b)|SELECT\\b.*\\bINTO\\s+TEMP(ORARY)?\\b)",
      "the table lives as long as the server connection: the next transaction may not find it, or"
          + " find another client's",
      "create it with ON COMMIT DROP inside the transaction that uses it, or use a regular (or"
          + " UNLOGGED) table"),
  SQL_PREPARE(
      "SQL PREPARE",
      "^PREPARE\\s+(?!TRANSACTION\\b)",
      "the prepared statement stays on one server connection: EXECUTE in a later transaction may"
          + " not find it (\"prepared statement does not exist\")",
      "let the driver prepare (protocol-level prepared statements, which PgBouncer >= 1.21 with"
          + " max_prepared_statements keeps), not SQL PREPARE / EXECUTE");

  private static final Pattern LEADING_COMMENTS =
      Pattern.compile("^(\\s+|--[^\\n]*(\\n|$)|/\\*.*?\\*/)+", Pattern.DOTALL);

  private final String title;
  private final Pattern pattern;
  private final String why;
  private final String fix;

  PoolerHazard(String title, String regex, String why, String fix) {
    this.title = title;
    this.pattern = Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    this.why = why;
    this.fix = fix;
  }

  /** A short name, e.g. {@code SET without LOCAL}. */
  public String title() {
    return title;
  }

  /** What goes wrong under transaction pooling. */
  public String why() {
    return why;
  }

  /** What to write instead. */
  public String fix() {
    return fix;
  }

  /** The hazard of one statement's text (as pg_stat_statements keeps it), if it has one. */
  public static Optional<PoolerHazard> of(String query) {
    String text = LEADING_COMMENTS.matcher(query).replaceFirst("");
    for (PoolerHazard h : values()) {
      if (h.pattern.matcher(text).find()) {
        return Optional.of(h);
      }
    }
    return Optional.empty();
  }

  /** The command line name, e.g. {@code session-set}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Settings PgBouncer keeps per client. */
  private static final class Tracked {
    /**
     * Settings a session-level SET of which is safe behind PgBouncer: PostgreSQL reports them to
     * the client (ParameterStatus) and PgBouncer restores each client's values on whatever server
     * connection it gets (client_encoding, DateStyle, TimeZone, standard_conforming_strings,
     * application_name, and IntervalStyle through track_extra_parameters); extra_float_digits is
     * set by pgjdbc on every connection to the same value.
     */
    static final String NAMES =
        "client_encoding|names|datestyle|timezone|time\\s+zone|standard_conforming_strings"
            + "|application_name|intervalstyle|extra_float_digits";
  }
}
