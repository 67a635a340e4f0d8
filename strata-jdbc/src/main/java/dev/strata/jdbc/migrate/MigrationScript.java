package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * One migration file: its name, its SQL, its statements, and its checksums. Immutable.
 *
 * <ul>
 *   <li>{@link #fileName()}: the name inside the location ({@code 000001_users.up.sql}, {@code
 *       20260101000000_init/migration.sql})
 *   <li>{@link #checksum()}: SHA-256 of the text with its line endings made {@code \n} and without
 *       a BOM, so a CRLF or BOM checkout of the same file has the same checksum
 *   <li>{@link #rawChecksum()}: SHA-256 of the bytes as they are (what Prisma records, and what
 *       Strata recorded before it normalised)
 *   <li>{@link #noTransaction()}: whether the first line is {@code -- strata:no-transaction} (or
 *       Flyway's {@code -- flyway:executeInTransaction=false}), so it runs outside a transaction,
 *       statement by statement (for {@code CREATE INDEX CONCURRENTLY})
 * </ul>
 */
public final class MigrationScript {
  private final String fileName;
  private final String sql;
  private final String checksum;
  private final String rawChecksum;
  private final boolean noTransaction;
  private final List<SqlStatements.Statement> statements;

  private MigrationScript(
      String fileName,
      String sql,
      String checksum,
      String rawChecksum,
      boolean noTransaction,
      List<SqlStatements.Statement> statements) {
    this.fileName = fileName;
    this.sql = sql;
    this.checksum = checksum;
    this.rawChecksum = rawChecksum;
    this.noTransaction = noTransaction;
    this.statements = statements;
  }

  /** The name inside the location. */
  public String fileName() {
    return fileName;
  }

  /** The text, without a byte-order mark. */
  public String sql() {
    return sql;
  }

  /** SHA-256 (hex) of the text with LF line endings and no BOM. */
  public String checksum() {
    return checksum;
  }

  /** SHA-256 (hex) of the bytes as they are. */
  public String rawChecksum() {
    return rawChecksum;
  }

  /** Whether the file runs outside a transaction. */
  public boolean noTransaction() {
    return noTransaction;
  }

  List<SqlStatements.Statement> statements() {
    return statements;
  }

  /** The marker that, as a file's first line, makes it run outside a transaction. */
  public static final String NO_TRANSACTION = "-- strata:no-transaction";

  /** Flyway's own spelling of the same, accepted in Flyway folders and elsewhere. */
  static final String FLYWAY_NO_TRANSACTION = "-- flyway:executeInTransaction=false";

  /** Statements that end or open a transaction, which a transactional file must not contain. */
  private static final Set<String> TRANSACTION_CONTROL =
      Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE");

  /**
   * A script read from {@code bytes} (UTF-8).
   *
   * @param where the location, for messages ({@code migrations})
   * @throws StrataException naming file and line when the file holds a psql meta-command, or when a
   *     transactional file has its own transaction control
   */
  public static MigrationScript of(String where, String fileName, byte[] bytes) {
    String sql = new String(bytes, StandardCharsets.UTF_8);
    if (!sql.isEmpty() && sql.charAt(0) == '\uFEFF') {
      sql = sql.substring(1);
    }
    String firstLine = sql.lines().findFirst().orElse("").strip();
    boolean noTransaction =
        firstLine.equals(NO_TRANSACTION) || firstLine.equalsIgnoreCase(FLYWAY_NO_TRANSACTION);
    String file = where + "/" + fileName;
    List<SqlStatements.Statement> statements;
    try {
      statements = SqlStatements.split(sql);
    } catch (SqlStatements.SyntaxError e) {
      throw StrataException.badInput(
          file + ":" + SqlStatements.lineOf(sql, e.offset) + ": " + e.getMessage(),
          "write it as SQL (a psql \\i include becomes its own migration file); nothing ran");
    }
    if (!noTransaction) {
      for (SqlStatements.Statement s : statements) {
        if (isTransactionControl(s)) {
          throw StrataException.badInput(
              file
                  + ":"
                  + SqlStatements.lineOf(sql, s.offset())
                  + ": "
                  + firstLineOf(s.sql())
                  + " controls the transaction, but Strata already runs this file in one"
                  + " transaction together with its version bump (a COMMIT in the file would keep"
                  + " half of it if a later statement failed); nothing ran",
              "remove the BEGIN/COMMIT lines, or make `"
                  + NO_TRANSACTION
                  + "` the file's first line to run it statement by statement outside a"
                  + " transaction");
        }
      }
    }
    return new MigrationScript(
        fileName,
        sql,
        sha256(normalised(sql).getBytes(StandardCharsets.UTF_8)),
        sha256(bytes),
        noTransaction,
        List.copyOf(statements));
  }

  /** A script named {@code fileName} with its location unknown (for tests and tools). */
  public static MigrationScript of(String fileName, byte[] bytes) {
    return of(".", fileName, bytes);
  }

  /** Whether {@code stored}, a SHA-256 recorded earlier, is this file's (LF or as-is bytes). */
  public boolean matches(String stored) {
    return stored.equalsIgnoreCase(checksum) || stored.equalsIgnoreCase(rawChecksum);
  }

  /**
   * Flyway's checksum: CRC-32 over the UTF-8 bytes of each line without its line ending (and
   * without a BOM), as a signed int, as Flyway's {@code ChecksumCalculator} computes it; so {@code
   * flyway validate} agrees with what Strata recorded.
   */
  public int flywayChecksum() {
    CRC32 crc = new CRC32();
    sql.lines().forEach(line -> crc.update(line.getBytes(StandardCharsets.UTF_8)));
    return (int) crc.getValue();
  }

  private static boolean isTransactionControl(SqlStatements.Statement s) {
    String keyword = s.keyword();
    if (!TRANSACTION_CONTROL.contains(keyword)) {
      return false;
    }
    String upper = s.sql().toUpperCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
    if (keyword.equals("START")) {
      return upper.startsWith("START TRANSACTION");
    }
    if (keyword.equals("ROLLBACK")) {
      // ROLLBACK TO SAVEPOINT stays inside the transaction.
      return !upper.startsWith("ROLLBACK TO") && !upper.startsWith("ROLLBACK WORK TO");
    }
    if (keyword.equals("PREPARE")) {
      return upper.startsWith("PREPARE TRANSACTION");
    }
    return true;
  }

  private static String firstLineOf(String sql) {
    String line = sql.lines().findFirst().orElse(sql).strip();
    return line.length() > 60 ? line.substring(0, 57) + "..." : line;
  }

  static String normalised(String sql) {
    return sql.replace("\r\n", "\n").replace('\r', '\n');
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
