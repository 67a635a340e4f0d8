package dev.strata.jdbc.migrate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One migration file: its name, its SQL, and the SHA-256 of its bytes that the audit table keeps.
 *
 * @param noTransaction whether the first line is {@code -- strata:no-transaction}, so it runs
 *     outside a transaction, statement by statement (for {@code CREATE INDEX CONCURRENTLY})
 */
public record MigrationScript(String fileName, String sql, String checksum, boolean noTransaction) {

  /** The marker that, as a file's first line, makes it run outside a transaction. */
  public static final String NO_TRANSACTION = "-- strata:no-transaction";

  /** A script read from {@code bytes} (UTF-8). */
  public static MigrationScript of(String fileName, byte[] bytes) {
    String sql = new String(bytes, StandardCharsets.UTF_8);
    if (!sql.isEmpty() && sql.charAt(0) == '\uFEFF') {
      sql = sql.substring(1);
    }
    String firstLine = sql.lines().findFirst().orElse("").strip();
    return new MigrationScript(fileName, sql, sha256(bytes), firstLine.equals(NO_TRANSACTION));
  }

  List<SqlStatements.Statement> statements() {
    return SqlStatements.split(sql);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
