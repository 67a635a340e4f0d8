package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.Psql;
import dev.strata.ops.process.Exec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Strata's heartbeat: a row in {@code strata.heartbeat} of the {@code postgres} database (never the
 * application's) written at each backup, restore and drill. A restore to time T must hold every
 * heartbeat at or before T and none after: the proof that point-in-time recovery stopped where it
 * was asked to.
 */
public final class Heartbeat {
  static final String DATABASE = "postgres";
  private static final DateTimeFormatter PG =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSx");

  private Heartbeat() {}

  /**
   * Writes a heartbeat on the stack's primary and returns its time (committed when this returns).
   * The agent writes one every {@code agent.heartbeat}, so a point-in-time restore can be checked
   * to the second.
   */
  public static Instant beat(ComponentContext c, String why) {
    String sql =
        "CREATE SCHEMA IF NOT EXISTS strata;\n"
            + "CREATE TABLE IF NOT EXISTS strata.heartbeat"
            + " (at timestamptz PRIMARY KEY DEFAULT clock_timestamp(), why text NOT NULL);\n"
            + "INSERT INTO strata.heartbeat (why) VALUES ('"
            + why.replace("'", "''")
            + "') RETURNING to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00';";
    return parse(run(c, c.socketDir(), c.postgresPrimary().port(), sql).strip());
  }

  /** Runs {@code sql} as the superuser on the server at {@code port}, in the postgres database. */
  static String run(ComponentContext c, Path socketDir, int port, String sql) {
    Exec.Result r =
        new Psql(c.tools().pgBinDir()).superuser(c.runAs(), socketDir, port, DATABASE, sql).run();
    if (!r.ok()) {
      throw StrataException.failed(
          "PostgreSQL on port " + port + " refused a query: " + r.describeFailure(), "", null);
    }
    return r.output();
  }

  static Instant parse(String pgTime) {
    String line = pgTime.lines().reduce((a, b) -> b).orElse("").strip();
    return OffsetDateTime.parse(line, PG).toInstant();
  }

  /** {@code t} as a PostgreSQL timestamptz literal. */
  static String literal(Instant t) {
    return "'" + t.toString() + "'::timestamptz";
  }
}
