package dev.strata.jdbc.migrate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * golang-migrate's {@code schema_migrations}, as its PostgreSQL driver keeps it: {@code (version
 * bigint not null primary key, dirty boolean not null)}, at most one row, no row meaning "none
 * applied". Beside it Strata's {@code strata_migrations_log}: every file run, with its checksum,
 * who, when and how long, which golang-migrate ignores. A database golang-migrate left is carried
 * on; one Strata leaves can go back to golang-migrate.
 */
final class GolangLedger extends Ledger {
  static final String LOG = "strata_migrations_log";
  private static final String DIRECTIONS = "'up', 'down', 'force', 'outside', 'baseline', 'repair'";

  GolangLedger(String schema) {
    super(schema);
  }

  @Override
  FolderFormat format() {
    return FolderFormat.GOLANG_MIGRATE;
  }

  String log() {
    return ident(schema) + "." + ident(LOG);
  }

  @Override
  void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + qualified()
              + " (version bigint not null primary key, dirty boolean not null);\n"
              + "CREATE TABLE IF NOT EXISTS "
              + log()
              + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
              + " version bigint NOT NULL,"
              + " name text NOT NULL,"
              + " checksum text,"
              + " direction text NOT NULL CONSTRAINT strata_migrations_log_direction_check"
              + " CHECK (direction IN ("
              + DIRECTIONS
              + ")),"
              + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
              + " applied_by text NOT NULL DEFAULT session_user,"
              + " duration_ms bigint NOT NULL DEFAULT 0);\n"
              // A log from before 'outside', 'baseline' and 'repair' existed gets the wider check.
              + "DO $strata$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = "
              + literal(log())
              + "::regclass AND conname = 'strata_migrations_log_direction_check'"
              + " AND pg_get_constraintdef(oid) NOT LIKE '%repair%') THEN ALTER TABLE "
              + log()
              + " DROP CONSTRAINT strata_migrations_log_direction_check, ADD CONSTRAINT"
              + " strata_migrations_log_direction_check CHECK (direction IN ("
              + DIRECTIONS
              + ")); END IF; END $strata$");
    }
  }

  @Override
  State read(Connection c, MigrationFolder files) throws SQLException {
    long version = NONE;
    boolean dirty = false;
    boolean hasLog;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT to_regclass("
                    + literal(qualified())
                    + ") IS NOT NULL, to_regclass("
                    + literal(log())
                    + ") IS NOT NULL")) {
      rs.next();
      boolean hasVersion = rs.getBoolean(1);
      hasLog = rs.getBoolean(2);
      if (hasVersion) {
        try (Statement v = c.createStatement();
            ResultSet row =
                v.executeQuery("SELECT version, dirty FROM " + qualified() + " LIMIT 1")) {
          if (row.next()) {
            version = row.getLong(1);
            dirty = row.getBoolean(2);
          }
        }
      }
    }
    TreeMap<Long, Entry> logged = new TreeMap<>();
    long adopted = NONE;
    if (hasLog) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT version, name, checksum, applied_at, applied_by, direction FROM "
                      + log()
                      + " ORDER BY id")) {
        while (rs.next()) {
          long v = rs.getLong(1);
          Entry entry =
              new Entry(
                  rs.getString(2),
                  Optional.ofNullable(rs.getString(3)),
                  instant(rs.getTimestamp(4)),
                  Optional.ofNullable(rs.getString(5)),
                  How.STRATA);
          switch (rs.getString(6)) {
            case "up" -> logged.put(v, entry);
            case "outside" ->
                logged.put(
                    v,
                    new Entry(
                        entry.name(), Optional.empty(), entry.at(), Optional.empty(), How.OUTSIDE));
            case "down" -> logged.remove(v);
            case "force", "baseline" -> adopted = v;
            case "repair" -> {
              Entry before = logged.get(v);
              if (before != null) {
                logged.put(
                    v,
                    new Entry(
                        before.name(), entry.checksum(), before.at(), before.by(), before.how()));
              }
            }
            default -> {}
          }
        }
      }
    }
    long current = version;
    long highestLogged = Optional.ofNullable(logged.floorKey(current)).orElse(NONE);
    Map<Long, Entry> applied = new TreeMap<>();
    Set<Long> neverRan = new HashSet<>();
    List<Long> unrecorded = new ArrayList<>();
    for (Migration m : files.migrations()) {
      long v = m.version();
      if (v > current) {
        break;
      }
      Entry e = logged.get(v);
      if (e != null) {
        applied.put(v, e);
      } else if (v <= adopted) {
        applied.put(
            v,
            new Entry(m.name(), Optional.empty(), Optional.empty(), Optional.empty(), How.ADOPTED));
      } else if (v > highestLogged) {
        // golang-migrate applies in order: what lies between the last version Strata logged and
        // the current one was applied by it (or another tool) between two Strata runs.
        applied.put(
            v,
            new Entry(m.name(), Optional.empty(), Optional.empty(), Optional.empty(), How.OUTSIDE));
        if (!(dirty && v == current)) {
          unrecorded.add(v);
        }
      } else {
        neverRan.add(v);
      }
    }
    logged.headMap(current, true).forEach(applied::putIfAbsent);
    if (current >= 0) {
      applied.putIfAbsent(
          current,
          new Entry(
              Long.toString(current),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              current <= adopted ? How.ADOPTED : How.OUTSIDE));
    }
    return new State(
        current,
        dirty ? OptionalLong.of(current) : OptionalLong.empty(),
        applied,
        neverRan,
        Map.of(),
        unrecorded);
  }

  static final long NONE = -1;

  /** golang-migrate's {@code SetVersion}, with {@code DELETE} in place of its {@code TRUNCATE}. */
  String setSql(long version, boolean dirty) {
    String sql = "DELETE FROM " + qualified();
    if (version >= 0 || dirty) {
      sql +=
          ";\nINSERT INTO "
              + qualified()
              + " (version, dirty) VALUES ("
              + version
              + ", "
              + dirty
              + ")";
    }
    return sql;
  }

  String logSql(long version, String name, String checksum, String direction, long ms) {
    return "INSERT INTO "
        + log()
        + " (version, name, checksum, direction, duration_ms) VALUES ("
        + version
        + ", "
        + literal(name)
        + ", "
        + literal(checksum)
        + ", '"
        + direction
        + "', "
        + ms
        + ")";
  }

  @Override
  String appliedSql(Migration m, long durationMs, int statements) {
    return setSql(m.version(), false)
        + ";\n"
        + logSql(m.version(), m.name(), m.up().checksum(), "up", durationMs);
  }

  @Override
  String undoneSql(Migration m, MigrationScript down, long after, long durationMs) {
    return setSql(after, false)
        + ";\n"
        + logSql(m.version(), m.name(), down.checksum(), "down", durationMs);
  }

  @Override
  String startedSql(Migration m, boolean up, long dirtyVersion) {
    return setSql(dirtyVersion, true);
  }

  @Override
  String finishedSql(
      Migration m, boolean up, long after, long durationMs, int statements, String error) {
    if (error != null) {
      return ""; // stays dirty: that is golang-migrate's record of a part-way file
    }
    return up
        ? appliedSql(m, durationMs, statements)
        : undoneSql(m, m.down().orElseThrow(), after, durationMs);
  }

  @Override
  String forceSql(long version, State state, MigrationFolder files) {
    String name =
        files.migrations().stream()
            .filter(m -> m.version() == version)
            .map(Migration::name)
            .findFirst()
            .orElse(Long.toString(version));
    return setSql(version, false) + ";\n" + logSql(version, name, null, "force", 0);
  }

  @Override
  String baselineSql(long version, MigrationFolder files) {
    String name =
        files.migrations().stream()
            .filter(m -> m.version() == version)
            .map(Migration::name)
            .findFirst()
            .orElse(Long.toString(version));
    return setSql(version, false) + ";\n" + logSql(version, name, null, "baseline", 0);
  }

  @Override
  String repairSql(List<Migration> changed) {
    StringBuilder sql = new StringBuilder();
    for (Migration m : changed) {
      sql.append(sql.isEmpty() ? "" : ";\n")
          .append(logSql(m.version(), m.name(), m.up().checksum(), "repair", 0));
    }
    return sql.toString();
  }

  @Override
  String adoptSql(State state, MigrationFolder files) {
    StringBuilder sql = new StringBuilder();
    for (long v : state.unrecorded()) {
      sql.append(sql.isEmpty() ? "" : ";\n")
          .append(logSql(v, state.applied().get(v).name(), null, "outside", 0));
    }
    return sql.toString();
  }
}
