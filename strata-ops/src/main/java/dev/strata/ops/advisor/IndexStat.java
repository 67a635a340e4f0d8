package dev.strata.ops.advisor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One index's figures.
 *
 * @param scans index scans since the statistics were reset
 * @param constraint whether it is unique or backs a constraint (never reported unused)
 * @param bloatPercent the statistical estimate for a B-tree on plain columns; empty otherwise
 * @param duplicateOf the index it duplicates (same table, columns, operator classes, expressions
 *     and predicate), which is the one kept
 */
public record IndexStat(
    String database,
    String schema,
    String table,
    String index,
    long bytes,
    long scans,
    boolean constraint,
    OptionalDouble bloatPercent,
    Optional<String> duplicateOf,
    String definition) {

  /** {@code app.public.orders_customer_idx}. */
  public String name() {
    return database + "." + schema + "." + index;
  }

  /** The index as SQL names it: {@code "public"."orders_customer_idx"}. */
  String qualified() {
    return quote(schema) + "." + quote(index);
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", name());
    m.put("table", table);
    m.put("bytes", bytes);
    m.put("scans", scans);
    m.put(
        "bloat_percent", bloatPercent.isPresent() ? Math.round(bloatPercent.getAsDouble()) : null);
    m.put("duplicate_of", duplicateOf.orElse(null));
    m.put("definition", definition);
    return m;
  }
}
