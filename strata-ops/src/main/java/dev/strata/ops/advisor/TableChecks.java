package dev.strata.ops.advisor;

import static dev.strata.ops.advisor.Rows.asDouble;
import static dev.strata.ops.advisor.Rows.asLong;

import dev.strata.core.spec.AdvisorSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One database's tables and indexes, as its owner: sizes, dead rows, bloat estimates, unused and
 * duplicate indexes. The bloat estimates are the well-known statistical ones (the pages the rows
 * need at their average width from pg_stats, against the pages the relation has), without
 * pgstattuple's full scan; they ignore alignment padding, so small differences mean nothing and
 * only large ones are judged.
 */
final class TableChecks {
  private static final String USER_SCHEMAS =
      " n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'";
  static final String TABLES =
      "SELECT n.nspname AS schema, c.relname AS table, pg_total_relation_size(c.oid) AS bytes,"
          + " c.relpages::bigint * current_setting('block_size')::bigint AS heap_bytes,"
          + " coalesce(s.n_live_tup, 0) AS live, coalesce(s.n_dead_tup, 0) AS dead,"
          + " c.reltuples::float8 AS reltuples, c.relpages::bigint AS pages,"
          + " (SELECT sum(st.avg_width * (1 - st.null_frac)) FROM pg_stats st"
          + "  WHERE st.schemaname = n.nspname AND st.tablename = c.relname)::float8 AS width,"
          + " coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int"
          + "  FROM unnest(c.reloptions) o WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
          + " WHERE c.relkind IN ('r', 'm') AND"
          + USER_SCHEMAS
          + " ORDER BY bytes DESC";

  /**
   * One row per index. Its shape (table, columns, operator classes, collations, sort options,
   * expressions, predicate) is what two duplicates share; B-trees on plain columns get an estimate.
   */
  static final String INDEXES =
      "SELECT n.nspname AS schema, t.relname AS table, i.relname AS index,"
          + " pg_relation_size(i.oid) AS bytes, coalesce(s.idx_scan, 0) AS scans,"
          + " (x.indisunique OR x.indisprimary OR x.indisexclusion"
          + "  OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)) AS is_constraint,"
          + " i.reltuples::float8 AS reltuples, i.relpages::bigint AS pages,"
          + " (a.amname = 'btree' AND x.indexprs IS NULL) AS estimable,"
          + " (SELECT sum(st.avg_width)::float8 FROM pg_attribute att JOIN pg_stats st"
          + "  ON st.schemaname = n.nspname AND st.tablename = t.relname"
          + "  AND st.attname = att.attname WHERE att.attrelid = t.oid"
          + "  AND att.attnum = ANY (x.indkey)) AS width,"
          + " x.indrelid || ':' || x.indkey::text || ':' || x.indclass::text || ':'"
          + "  || x.indcollation::text || ':' || x.indoption::text || ':'"
          + "  || coalesce(pg_get_expr(x.indexprs, x.indrelid), '') || ':'"
          + "  || coalesce(pg_get_expr(x.indpred, x.indrelid), '') AS shape,"
          + " pg_get_indexdef(i.oid) AS definition, x.indisvalid AS valid"
          + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
          + " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
          + " JOIN pg_am a ON a.oid = i.relam"
          + " LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.oid WHERE"
          + USER_SCHEMAS
          + " ORDER BY is_constraint DESC, i.oid";

  private static final int PAGE_HEADER = 24;
  private static final int TUPLE_HEADER = 23 + 1 + 4; // header, alignment, line pointer
  private static final int BTREE_SPECIAL = 16;
  private static final int INDEX_TUPLE_HEADER = 8 + 4; // IndexTupleData, line pointer

  private final AdvisorSpec spec;

  TableChecks(AdvisorSpec spec) {
    this.spec = spec;
  }

  List<TableStat> tables(Connection c, String database) throws SQLException {
    int block = blockSize(c);
    List<TableStat> tables = new ArrayList<>();
    for (Map<String, Object> r : Rows.query(c, TABLES)) {
      OptionalDouble bloat = OptionalDouble.empty();
      double tuples = asDouble(r.get("reltuples"));
      long pages = asLong(r.get("pages"));
      if (tuples >= 0 && r.get("width") != null && pages > 0) {
        double perPage = (block - PAGE_HEADER) * asLong(r.get("fillfactor")) / 100.0;
        double expected = Math.ceil(tuples * (TUPLE_HEADER + asDouble(r.get("width"))) / perPage);
        bloat = OptionalDouble.of(Math.max(0, 100.0 * (pages - expected) / pages));
      }
      tables.add(
          new TableStat(
              database,
              (String) r.get("schema"),
              (String) r.get("table"),
              asLong(r.get("bytes")),
              asLong(r.get("heap_bytes")),
              asLong(r.get("live")),
              asLong(r.get("dead")),
              bloat));
    }
    return tables;
  }

  List<IndexStat> indexes(Connection c, String database) throws SQLException {
    int block = blockSize(c);
    List<IndexStat> indexes = new ArrayList<>();
    // constraint indexes come first, then oldest first: the first of a shape is the one kept
    Map<String, String> firstOfShape = new HashMap<>();
    for (Map<String, Object> r : Rows.query(c, INDEXES)) {
      String name = (String) r.get("index");
      if (!Boolean.TRUE.equals(r.get("valid"))) {
        continue; // an index a failed CREATE INDEX CONCURRENTLY left behind is not a duplicate
      }
      OptionalDouble bloat = OptionalDouble.empty();
      double tuples = asDouble(r.get("reltuples"));
      long pages = asLong(r.get("pages"));
      if (Boolean.TRUE.equals(r.get("estimable"))
          && tuples >= 0
          && r.get("width") != null
          && pages > 1) {
        double perPage = (block - PAGE_HEADER - BTREE_SPECIAL) * 0.9;
        // +1: the metapage
        double expected =
            1 + Math.ceil(tuples * (INDEX_TUPLE_HEADER + asDouble(r.get("width"))) / perPage);
        bloat = OptionalDouble.of(Math.max(0, 100.0 * (pages - expected) / pages));
      }
      String shape = (String) r.get("shape");
      String kept = firstOfShape.putIfAbsent(shape, name);
      indexes.add(
          new IndexStat(
              database,
              (String) r.get("schema"),
              (String) r.get("table"),
              name,
              asLong(r.get("bytes")),
              asLong(r.get("scans")),
              Boolean.TRUE.equals(r.get("is_constraint")),
              bloat,
              Optional.ofNullable(kept),
              (String) r.get("definition")));
    }
    return indexes;
  }

  private static int blockSize(Connection c) throws SQLException {
    return (int)
        asLong(Rows.query(c, "SELECT current_setting('block_size')::int AS b").get(0).get("b"));
  }

  /** Whether a table's dead rows call for VACUUM. */
  boolean needsVacuum(TableStat t) {
    return t.deadRows() >= spec.get(AdvisorSpec.DEAD_TUPLES_MIN)
        && t.deadPercent() >= spec.get(AdvisorSpec.DEAD_TUPLES_PERCENT);
  }

  String vacuumThreshold() {
    return spec.get(AdvisorSpec.DEAD_TUPLES_PERCENT)
        + "% dead rows and at least "
        + spec.get(AdvisorSpec.DEAD_TUPLES_MIN)
        + " ("
        + AdvisorSpec.path(AdvisorSpec.DEAD_TUPLES_PERCENT)
        + ", "
        + AdvisorSpec.path(AdvisorSpec.DEAD_TUPLES_MIN)
        + ")";
  }

  boolean bloated(long bytes, OptionalDouble bloat) {
    return bloat.isPresent()
        && bytes >= spec.get(AdvisorSpec.BLOAT_MIN_SIZE).bytes()
        && bloat.getAsDouble() >= spec.get(AdvisorSpec.BLOAT_PERCENT);
  }

  String bloatThreshold() {
    return spec.get(AdvisorSpec.BLOAT_PERCENT)
        + "% estimated bloat in relations of "
        + spec.get(AdvisorSpec.BLOAT_MIN_SIZE)
        + " or more ("
        + AdvisorSpec.path(AdvisorSpec.BLOAT_PERCENT)
        + ", "
        + AdvisorSpec.path(AdvisorSpec.BLOAT_MIN_SIZE)
        + ")";
  }

  /** Unused: never scanned, and neither unique nor backing a constraint. */
  static boolean unused(IndexStat i) {
    return i.scans() == 0 && !i.constraint() && i.duplicateOf().isEmpty();
  }

  /**
   * The indexes others duplicate, by {@link IndexStat#name()}: the ones kept when the duplicates
   * go, so never reported (or dropped) as unused in the same run.
   */
  static java.util.Set<String> kept(List<IndexStat> indexes) {
    java.util.Set<String> kept = new java.util.HashSet<>();
    indexes.forEach(
        i -> i.duplicateOf().ifPresent(k -> kept.add(i.database() + "." + i.schema() + "." + k)));
    return kept;
  }

  Section tablesSection(List<TableStat> tables) {
    List<Finding> findings = new ArrayList<>();
    for (TableStat t : tables) {
      if (needsVacuum(t)) {
        findings.add(
            new Finding(
                "dead_tuples",
                t.name(),
                Verdict.WARN,
                t.deadRows() + " dead rows (" + PostgresChecks.pct(t.deadPercent()) + ")",
                vacuumThreshold(),
                "autovacuum is behind on this table: `strata maintain` runs VACUUM (ANALYZE)"));
      }
      if (bloated(t.heapBytes(), t.bloatPercent())) {
        findings.add(
            new Finding(
                "table_bloat",
                t.name(),
                Verdict.WARN,
                PostgresChecks.pct(t.bloatPercent().getAsDouble())
                    + " of "
                    + Rows.bytes(t.heapBytes()),
                bloatThreshold(),
                "VACUUM makes the space reusable; only VACUUM FULL or pg_repack returns it"));
      }
    }
    if (findings.isEmpty()) {
      findings.add(Finding.ok("tables", "postgres", tables.size() + " tables", vacuumThreshold()));
    }
    return new Section(
        "tables", findings, tables.stream().limit(20).map(TableStat::toMap).toList());
  }

  Section indexesSection(List<IndexStat> indexes) {
    List<Finding> findings = new ArrayList<>();
    java.util.Set<String> kept = kept(indexes);
    for (IndexStat i : indexes) {
      i.duplicateOf()
          .ifPresent(
              original ->
                  findings.add(
                      new Finding(
                          "duplicate_index",
                          i.name(),
                          Verdict.WARN,
                          "same columns and predicate as "
                              + original
                              + " ("
                              + Rows.bytes(i.bytes())
                              + ")",
                          "",
                          "every write maintains both: `strata maintain --apply` drops it")));
      if (unused(i) && !kept.contains(i.name())) {
        findings.add(
            new Finding(
                "unused_index",
                i.name(),
                Verdict.WARN,
                "0 scans (" + Rows.bytes(i.bytes()) + ")",
                "idx_scan = 0 since the statistics were reset",
                "no query used it: drop it with `strata maintain --apply` if no rare job needs"
                    + " it"));
      }
      if (bloated(i.bytes(), i.bloatPercent())) {
        findings.add(
            new Finding(
                "index_bloat",
                i.name(),
                Verdict.WARN,
                PostgresChecks.pct(i.bloatPercent().getAsDouble()) + " of " + Rows.bytes(i.bytes()),
                bloatThreshold(),
                "`strata maintain` rebuilds it with REINDEX INDEX CONCURRENTLY"));
      }
    }
    if (findings.isEmpty()) {
      findings.add(Finding.ok("indexes", "postgres", indexes.size() + " indexes", ""));
    }
    return new Section(
        "indexes",
        findings,
        indexes.stream()
            .sorted((a, b) -> Long.compare(b.bytes(), a.bytes()))
            .limit(20)
            .map(IndexStat::toMap)
            .toList());
  }
}
