package dev.strata.jdbc.tenant.audit;

import java.util.regex.Pattern;

/** Quoting for the SQL Strata generates. */
final class Sql {
  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

  private Sql() {}

  /** {@code name} as an identifier: as it is when that is safe, double-quoted otherwise. */
  static String ident(String name) {
    return PLAIN.matcher(name).matches() ? name : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** {@code schema.name}, each part quoted as needed. */
  static String qualified(String schema, String name) {
    return ident(schema) + "." + ident(name);
  }

  /** {@code text} as a string literal. */
  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
