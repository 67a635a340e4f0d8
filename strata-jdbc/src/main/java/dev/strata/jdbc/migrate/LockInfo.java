package dev.strata.jdbc.migrate;

import java.util.Locale;

/**
 * The table lock a statement takes, per PostgreSQL's documentation of explicit locking: for {@code
 * migrate plan}, so a reviewer sees which statement blocks reads or writes. Where a statement's
 * lock depends on details this does not parse, it says so instead of guessing.
 */
final class LockInfo {
  private static final String AE = "ACCESS EXCLUSIVE on the table: blocks reads and writes";
  private static final String SUE = "SHARE UPDATE EXCLUSIVE: reads and writes go on";

  private LockInfo() {}

  static String of(String sql) {
    String s = sql.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    if (s.matches("^CREATE (UNIQUE )?INDEX CONCURRENTLY.*")
        || s.matches("^DROP INDEX CONCURRENTLY.*")
        || s.matches("^REINDEX .*CONCURRENTLY.*")
        || s.matches("^ALTER TABLE .* DETACH PARTITION .* CONCURRENTLY.*")) {
      return "none that blocks reads or writes (SHARE UPDATE EXCLUSIVE; it waits for older"
          + " transactions to end)";
    }
    if (s.matches("^CREATE (UNIQUE )?INDEX.*")) {
      return "SHARE on the table: blocks writes until the index is built";
    }
    if (s.startsWith("DROP INDEX") || s.startsWith("DROP TABLE") || s.startsWith("TRUNCATE")) {
      return AE;
    }
    if (s.startsWith("REINDEX")) {
      return "SHARE on the table, ACCESS EXCLUSIVE on the index: blocks writes";
    }
    if (s.startsWith("ALTER TABLE")) {
      if (s.matches(".* VALIDATE CONSTRAINT .*") || s.matches(".* SET STATISTICS .*")) {
        return SUE;
      }
      if (s.matches(".* ADD (CONSTRAINT \\S+ )?FOREIGN KEY .*") && !s.contains(" NOT VALID")) {
        return "SHARE ROW EXCLUSIVE on the table and the referenced one: blocks writes while it"
            + " checks every row";
      }
      return AE;
    }
    if (s.startsWith("CREATE TABLE")) {
      return s.contains(" REFERENCES ")
          ? "SHARE ROW EXCLUSIVE on each referenced table: blocks its writes briefly"
          : "none on existing tables";
    }
    if (s.startsWith("CREATE TRIGGER") || s.startsWith("CREATE OR REPLACE TRIGGER")) {
      return "SHARE ROW EXCLUSIVE on the table: blocks writes briefly";
    }
    if (s.startsWith("CREATE POLICY")
        || s.startsWith("ALTER POLICY")
        || s.startsWith("DROP POLICY")
        || s.startsWith("DROP TRIGGER")) {
      return AE;
    }
    if (s.startsWith("INSERT")
        || s.startsWith("UPDATE")
        || s.startsWith("DELETE")
        || s.startsWith("MERGE")
        || s.startsWith("COPY")) {
      return "ROW EXCLUSIVE on the table, and row locks on the rows it changes";
    }
    if (s.startsWith("SELECT") || s.startsWith("WITH")) {
      return "ACCESS SHARE";
    }
    if (s.startsWith("VACUUM") || s.startsWith("ANALYZE")) {
      return SUE;
    }
    if (s.matches(
            "^(CREATE|CREATE OR REPLACE|DROP|ALTER) (FUNCTION|PROCEDURE|VIEW|TYPE|SCHEMA"
                + "|EXTENSION|SEQUENCE|DOMAIN|ROLE|AGGREGATE) .*")
        || s.startsWith("COMMENT ON")
        || s.startsWith("GRANT")
        || s.startsWith("REVOKE")
        || s.startsWith("SET ")
        || s.startsWith("RESET")) {
      return "none on tables";
    }
    return "unknown: check PostgreSQL's documentation of this statement";
  }
}
