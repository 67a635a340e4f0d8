package dev.strata.jdbc.migrate;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns a failed statement into a message that names the file, the line and PostgreSQL's words. */
final class FailureReport {
  private static final Pattern CONCURRENT_INDEX =
      Pattern.compile("(?i)^\\s*create\\s+(unique\\s+)?index\\s+concurrently\\b");

  private FailureReport() {}

  /**
   * @param file the file as the user knows it ({@code migrations/000003_orders.up.sql})
   * @param state what the failure left behind ("rolled back: still at version 2, not dirty")
   * @param fix what to do
   */
  static StrataException of(
      String file,
      MigrationScript script,
      SqlStatements.Statement statement,
      SQLException e,
      String state,
      String fix,
      Timeouts timeouts) {
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    int offset = statement.offset();
    if (server != null && server.getPosition() > 0) {
      offset += server.getPosition() - 1;
    }
    int line = SqlStatements.lineOf(script.sql(), offset);
    StringBuilder message = new StringBuilder(file).append(':').append(line).append(": ");
    if (server != null) {
      message.append(server.getSeverity()).append(": ").append(server.getMessage());
      message.append(" (SQLSTATE ").append(server.getSQLState()).append(')');
      if (server.getDetail() != null) {
        message.append("\n  DETAIL: ").append(server.getDetail());
      }
      if (server.getHint() != null) {
        message.append("\n  HINT: ").append(server.getHint());
      }
      if (server.getWhere() != null) {
        message.append("\n  CONTEXT: ").append(server.getWhere());
      }
    } else {
      message.append(e.getMessage());
    }
    message.append("\n").append(state);
    String sqlState = e.getSQLState();
    String advice = fix;
    if ("55P03".equals(sqlState)) {
      advice =
          "another session holds a lock on that table for longer than lock_timeout ("
              + format(timeouts.lock())
              + "): retry when it is idle, or raise migrations.lock_timeout; "
              + fix;
    } else if ("57014".equals(sqlState)) {
      advice =
          "the statement ran longer than statement_timeout ("
              + format(timeouts.statement())
              + "): raise migrations.statement_timeout, or SET statement_timeout in the file; "
              + fix;
    }
    if ("25001".equals(sqlState)) {
      advice =
          "make `"
              + MigrationScript.NO_TRANSACTION
              + "` the file's first line, so it runs outside a transaction, statement by"
              + " statement; "
              + fix;
    } else if (CONCURRENT_INDEX.matcher(statement.sql()).find()) {
      advice =
          "a failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: drop it (DROP INDEX"
              + " CONCURRENTLY) before running the file again; "
              + advice;
    }
    return new StrataException(ErrorCode.FAILED, message.toString(), advice, e);
  }

  /** The limits a migration session runs under. */
  record Timeouts(Duration lock, Duration statement) {}

  static String format(Duration d) {
    return dev.strata.core.spec.Types.formatDuration(d);
  }
}
