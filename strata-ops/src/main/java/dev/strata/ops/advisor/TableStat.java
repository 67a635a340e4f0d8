package dev.strata.ops.advisor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One table's figures.
 *
 * @param bytes table, indexes and TOAST
 * @param heapBytes the table's own pages, which its bloat estimate is a share of
 * @param bloatPercent the statistical estimate (pages beyond what its rows need); empty when the
 *     table was never analyzed
 */
public record TableStat(
    String database,
    String schema,
    String table,
    long bytes,
    long heapBytes,
    long liveRows,
    long deadRows,
    OptionalDouble bloatPercent) {

  /** {@code app.public.orders}. */
  public String name() {
    return database + "." + schema + "." + table;
  }

  /** Dead rows in percent of all rows. */
  public double deadPercent() {
    long all = liveRows + deadRows;
    return all == 0 ? 0 : 100.0 * deadRows / all;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("table", name());
    m.put("bytes", bytes);
    m.put("live_rows", liveRows);
    m.put("dead_rows", deadRows);
    m.put(
        "bloat_percent", bloatPercent.isPresent() ? Math.round(bloatPercent.getAsDouble()) : null);
    return m;
  }
}
