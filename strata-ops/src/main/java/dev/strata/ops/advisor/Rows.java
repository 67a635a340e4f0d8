package dev.strata.ops.advisor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a query and returns its rows as column-ordered maps: what the report's rows are. */
final class Rows {
  private Rows() {}

  static List<Map<String, Object>> query(Connection c, String sql, Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        List<Map<String, Object>> rows = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            Object v = rs.getObject(i);
            row.put(
                md.getColumnLabel(i), v instanceof java.math.BigDecimal b ? b.doubleValue() : v);
          }
          rows.add(row);
        }
        return rows;
      }
    }
  }

  static long asLong(Object v) {
    return v == null ? 0 : ((Number) v).longValue();
  }

  static double asDouble(Object v) {
    return v == null ? 0 : ((Number) v).doubleValue();
  }

  /** {@code 12.3 MB}: a byte count for people. */
  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
