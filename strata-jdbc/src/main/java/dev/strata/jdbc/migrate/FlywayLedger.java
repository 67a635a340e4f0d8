package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Flyway's {@code flyway_schema_history}, created and written as Flyway's PostgreSQL support does:
 * one row per migration run ({@code installed_rank} in order), Flyway's CRC-32 checksum, {@code
 * success false} for a migration that stopped part-way, {@code BASELINE} and {@code UNDO_SQL} rows
 * as Flyway writes them. {@code flyway info} and {@code flyway validate} read what Strata wrote.
 */
final class FlywayLedger extends Ledger {
  FlywayLedger(String schema) {
    super(schema);
  }

  @Override
  FolderFormat format() {
    return FolderFormat.FLYWAY;
  }

  @Override
  void create(Connection c) throws SQLException {
    if (exists(c, schema, format().table())) {
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + qualified()
              + " (installed_rank integer NOT NULL, version varchar(50), description varchar(200)"
              + " NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum"
              + " integer, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL"
              + " DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL,"
              + " CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank));\n"
              + "CREATE INDEX IF NOT EXISTS flyway_schema_history_s_idx ON "
              + qualified()
              + " (success)");
    }
  }

  @Override
  State read(Connection c, MigrationFolder files) throws SQLException {
    TreeMap<Long, Entry> applied = new TreeMap<>();
    Map<String, String> repeatables = new HashMap<>();
    long baseline = GolangLedger.NONE;
    TreeMap<Long, Boolean> latest = new TreeMap<>();
    if (exists(c, schema, format().table())) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT version, description, type, script, checksum, installed_by,"
                      + " installed_on, success FROM "
                      + qualified()
                      + " ORDER BY installed_rank")) {
        while (rs.next()) {
          String versionText = rs.getString(1);
          String type = rs.getString(3);
          String script = rs.getString(4);
          String checksum = rs.getString(5);
          boolean success = rs.getBoolean(8);
          if (type.equals("SCHEMA")) {
            continue;
          }
          if (versionText == null) {
            if (success) {
              repeatables.put(script.replaceFirst("\\.sql$", ""), checksum);
            }
            continue;
          }
          long v;
          try {
            v = Long.parseLong(versionText);
          } catch (NumberFormatException e) {
            throw StrataException.badInput(
                display()
                    + " records version "
                    + versionText
                    + " ("
                    + script
                    + "), which has parts; Strata orders Flyway versions as whole numbers",
                "go on with Flyway itself for this database");
          }
          if (type.equals("BASELINE")) {
            baseline = v;
            continue;
          }
          latest.put(v, success);
          if (!success) {
            continue;
          }
          if (type.startsWith("UNDO_") || type.equals("DELETE")) {
            applied.remove(v);
          } else {
            applied.put(
                v,
                new Entry(
                    script.replaceFirst("\\.sql$", ""),
                    Optional.ofNullable(checksum),
                    instant(rs.getTimestamp(7)),
                    Optional.ofNullable(rs.getString(6)),
                    How.STRATA));
          }
        }
      }
    }
    long current = Math.max(baseline, applied.isEmpty() ? GolangLedger.NONE : applied.lastKey());
    Set<Long> neverRan = new HashSet<>();
    for (Migration m : files.migrations()) {
      if (m.version() <= baseline && !applied.containsKey(m.version())) {
        applied.put(
            m.version(),
            new Entry(m.name(), Optional.empty(), Optional.empty(), Optional.empty(), How.ADOPTED));
      } else if (m.version() < current && !applied.containsKey(m.version())) {
        neverRan.add(m.version());
      }
    }
    Long failed =
        latest.entrySet().stream()
            .filter(e -> !e.getValue())
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(null);
    if (failed != null) {
      current = Math.max(current, failed);
    }
    return new State(
        current,
        failed == null ? OptionalLong.empty() : OptionalLong.of(failed),
        applied,
        neverRan,
        repeatables,
        List.of());
  }

  @Override
  boolean matches(MigrationScript script, String stored) {
    return stored.equals(Integer.toString(script.flywayChecksum()));
  }

  @Override
  String checksumOf(MigrationScript script) {
    return Integer.toString(script.flywayChecksum());
  }

  /** Flyway's description: the name after {@code __}, underscores as spaces. */
  static String description(Migration m) {
    return m.title().replace('_', ' ');
  }

  private String insert(
      String version,
      String description,
      String type,
      MigrationScript script,
      Integer checksum,
      long ms,
      boolean success) {
    return "INSERT INTO "
        + qualified()
        + " (installed_rank, version, description, type, script, checksum, installed_by,"
        + " execution_time, success) SELECT coalesce(max(installed_rank), 0) + 1, "
        + literal(version)
        + ", "
        + literal(description)
        + ", '"
        + type
        + "', "
        + literal(script == null ? description : script.fileName())
        + ", "
        + (checksum == null ? "NULL" : checksum)
        + ", current_user, "
        + ms
        + ", "
        + success
        + " FROM "
        + qualified();
  }

  @Override
  String appliedSql(Migration m, long durationMs, int statements) {
    return insert(
        Long.toString(m.version()),
        description(m),
        "SQL",
        m.up(),
        m.up().flywayChecksum(),
        durationMs,
        true);
  }

  @Override
  String undoneSql(Migration m, MigrationScript down, long after, long durationMs) {
    return insert(
        Long.toString(m.version()),
        description(m),
        "UNDO_SQL",
        down,
        down.flywayChecksum(),
        durationMs,
        true);
  }

  @Override
  String startedSql(Migration m, boolean up, long dirtyVersion) {
    MigrationScript script = up ? m.up() : m.down().orElseThrow();
    return insert(
        Long.toString(m.version()),
        description(m),
        up ? "SQL" : "UNDO_SQL",
        script,
        script.flywayChecksum(),
        0,
        false);
  }

  @Override
  String finishedSql(
      Migration m, boolean up, long after, long durationMs, int statements, String error) {
    if (error != null) {
      return ""; // the success=false row stays: Flyway's record of a failed migration
    }
    return "UPDATE "
        + qualified()
        + " SET success = true, execution_time = "
        + durationMs
        + " WHERE installed_rank = (SELECT max(installed_rank) FROM "
        + qualified()
        + " WHERE version = "
        + literal(Long.toString(m.version()))
        + " AND NOT success)";
  }

  @Override
  String repeatableSql(Migration m, long durationMs) {
    return insert(null, description(m), "SQL", m.up(), m.up().flywayChecksum(), durationMs, true);
  }

  @Override
  String forceSql(long version, State state, MigrationFolder files) {
    long failed = state.dirty().orElseThrow();
    // As `flyway repair` does: the failed row goes; if the migration is complete, it is recorded.
    String sql =
        "DELETE FROM "
            + qualified()
            + " WHERE NOT success AND version = "
            + literal(Long.toString(failed));
    if (version == failed) {
      Migration m =
          files.migrations().stream().filter(f -> f.version() == failed).findFirst().orElseThrow();
      sql += ";\n" + appliedSql(m, 0, 0);
    }
    return sql;
  }

  @Override
  String baselineSql(long version, MigrationFolder files) {
    return insert(Long.toString(version), "<< Flyway Baseline >>", "BASELINE", null, null, 0, true);
  }

  @Override
  String repairSql(List<Migration> changed) {
    StringBuilder sql = new StringBuilder();
    for (Migration m : changed) {
      sql.append(sql.isEmpty() ? "" : ";\n")
          .append("UPDATE ")
          .append(qualified())
          .append(" SET checksum = ")
          .append(m.up().flywayChecksum())
          .append(" WHERE version = ")
          .append(literal(Long.toString(m.version())))
          .append(" AND type = 'SQL' AND success");
    }
    return sql.toString();
  }
}
