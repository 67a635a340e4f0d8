package dev.strata.core.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a stack's PgBouncer keeps protocol-level prepared statements from one transaction to the
 * next: its rendered pgbouncer.ini sets {@code max_prepared_statements} above 0 (Strata writes it
 * only for PgBouncer 1.21 and later). When it does, pgjdbc may prepare as usual; when it does not
 * (or the stack has no ini yet), pooled JDBC URLs carry {@code prepareThreshold=0}.
 */
public final class PooledPreparedStatements {
  private static final Pattern SETTING =
      Pattern.compile("^\\s*max_prepared_statements\\s*=\\s*(\\d+)\\s*$");

  private PooledPreparedStatements() {}

  /** The answer for the stack whose state folder is {@code dir}. */
  public static boolean kept(StateDir dir) {
    return kept(dir.component("pgbouncer").resolve("pgbouncer.ini"));
  }

  /** The answer for one pgbouncer.ini; false when it is missing or unreadable. */
  public static boolean kept(Path ini) {
    if (!Files.isReadable(ini)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(ini)) {
      return lines
          .map(SETTING::matcher)
          .filter(Matcher::matches)
          .reduce((first, last) -> last)
          .map(m -> Integer.parseInt(m.group(1)) > 0)
          .orElse(false);
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }
}
