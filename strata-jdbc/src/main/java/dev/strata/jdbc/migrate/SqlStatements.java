package dev.strata.jdbc.migrate;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a migration file into its statements, as psql would: semicolons inside quotes ({@code
 * '...'}, {@code E'...'}, {@code "..."}), dollar quotes ({@code $$...$$}, {@code $tag$...$tag$}),
 * comments ({@code --}, nested {@code /* *}{@code /}), parentheses ({@code CREATE RULE ... DO ALSO
 * (a; b)}) and {@code BEGIN ATOMIC ... END} bodies do not end a statement. The data lines after
 * {@code COPY ... FROM stdin;} up to {@code \.} belong to that statement. A psql meta-command
 * ({@code \i}, {@code \set}, ...) is refused: no server can run it. Each statement keeps its offset
 * in the file, so an error position PostgreSQL reports inside it maps back to a line of the file.
 */
final class SqlStatements {
  private SqlStatements() {}

  /**
   * One statement of a file.
   *
   * @param sql the statement without its closing semicolon, starting at its first token
   * @param offset where {@code sql} starts in the file (a char index)
   */
  record Statement(String sql, int offset, String copyData) {
    Statement(String sql, int offset) {
      this(sql, offset, null);
    }

    /** The first word, upper-cased ({@code CREATE}, {@code BEGIN}). */
    String keyword() {
      int end = wordEnd(sql, 0);
      return sql.substring(0, end).toUpperCase(java.util.Locale.ROOT);
    }
  }

  /** A psql meta-command or an unterminated COPY data block, at {@code offset}. */
  static final class SyntaxError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int offset;

    SyntaxError(String message, int offset) {
      super(message);
      this.offset = offset;
    }
  }

  private static final java.util.regex.Pattern COPY_FROM_STDIN =
      java.util.regex.Pattern.compile("(?is)^copy\\s.*\\sfrom\\s+stdin\\b.*");

  static List<Statement> split(String text) {
    List<Statement> statements = new ArrayList<>();
    int start = -1;
    int atomicDepth = 0;
    int parenDepth = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\\' && atLineStart(text, i)) {
        int end = wordEnd(text, i + 1);
        throw new SyntaxError(
            "psql meta-command \\"
                + text.substring(i + 1, end)
                + " (a migration runs on the server, not in psql)",
            i);
      }
      if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        i = lineEnd(text, i);
        continue;
      }
      if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        i = blockCommentEnd(text, i);
        continue;
      }
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (start < 0) {
        start = i;
      }
      if (c == ';') {
        i++;
        if (atomicDepth == 0 && parenDepth == 0) {
          String sql = text.substring(start, i - 1).stripTrailing();
          if (COPY_FROM_STDIN.matcher(sql).matches()) {
            i = copyData(text, statements, sql, start, i);
          } else {
            add(statements, text, start, i - 1);
          }
          start = -1;
        }
      } else if (c == '(') {
        parenDepth++;
        i++;
      } else if (c == ')') {
        parenDepth = Math.max(0, parenDepth - 1);
        i++;
      } else if (c == '\'') {
        boolean escapes = i > 0 && (text.charAt(i - 1) == 'E' || text.charAt(i - 1) == 'e');
        i = quoteEnd(text, i, '\'', escapes && !identifierCharBefore(text, i - 1));
      } else if (c == '"') {
        i = quoteEnd(text, i, '"', false);
      } else if (c == '$' && !identifierCharBefore(text, i)) {
        i = dollarQuoteEnd(text, i);
      } else if (Character.isLetter(c) || c == '_') {
        int end = wordEnd(text, i);
        String word = text.substring(i, end);
        if (word.equalsIgnoreCase("atomic") && previousWordIs(text, i, "begin")) {
          atomicDepth++;
        } else if (atomicDepth > 0 && word.equalsIgnoreCase("end")) {
          atomicDepth--;
        } else if (atomicDepth > 0
            && (word.equalsIgnoreCase("case") || word.equalsIgnoreCase("begin"))) {
          atomicDepth++;
        }
        i = end;
      } else {
        i++;
      }
    }
    if (start >= 0) {
      add(statements, text, start, n);
    }
    return statements;
  }

  /**
   * The data of {@code COPY ... FROM stdin}: from the line after the statement up to a line {@code
   * \.}, as psql reads it.
   *
   * @return where splitting goes on
   */
  private static int copyData(
      String text, List<Statement> statements, String sql, int start, int afterSemicolon) {
    int dataStart = lineEnd(text, afterSemicolon);
    int lineStart = dataStart;
    while (lineStart < text.length()) {
      int next = lineEnd(text, lineStart);
      String line = text.substring(lineStart, next).strip();
      if (line.equals("\\.")) {
        statements.add(new Statement(sql, start, text.substring(dataStart, lineStart)));
        return next;
      }
      lineStart = next;
    }
    throw new SyntaxError(
        "COPY ... FROM stdin has no end of data: its rows must end with a line \\.", start);
  }

  private static boolean atLineStart(String text, int i) {
    for (int j = i - 1; j >= 0; j--) {
      char p = text.charAt(j);
      if (p == '\n') {
        return true;
      }
      if (p != ' ' && p != '\t') {
        return false;
      }
    }
    return true;
  }

  private static void add(List<Statement> statements, String text, int start, int end) {
    String sql = text.substring(start, end).stripTrailing();
    if (!sql.isEmpty()) {
      statements.add(new Statement(sql, start));
    }
  }

  private static int lineEnd(String text, int i) {
    int nl = text.indexOf('\n', i);
    return nl < 0 ? text.length() : nl + 1;
  }

  private static int blockCommentEnd(String text, int i) {
    int depth = 0;
    int n = text.length();
    while (i < n) {
      if (text.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (text.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  private static int quoteEnd(String text, int i, char quote, boolean backslashEscapes) {
    int n = text.length();
    i++;
    while (i < n) {
      char c = text.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && text.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  /** {@code $tag$ ... $tag$}; a {@code $} that opens no tag ({@code $1}) is a plain character. */
  private static int dollarQuoteEnd(String text, int i) {
    int j = i + 1;
    while (j < text.length()
        && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
      j++;
    }
    if (j >= text.length()
        || text.charAt(j) != '$'
        || (j > i + 1 && Character.isDigit(text.charAt(i + 1)))) {
      return i + 1;
    }
    String tag = text.substring(i, j + 1);
    int close = text.indexOf(tag, j + 1);
    return close < 0 ? text.length() : close + tag.length();
  }

  private static boolean identifierCharBefore(String text, int i) {
    if (i <= 0) {
      return false;
    }
    char p = text.charAt(i - 1);
    return Character.isLetterOrDigit(p) || p == '_' || p == '$';
  }

  private static int wordEnd(String text, int i) {
    int j = i;
    while (j < text.length()
        && (Character.isLetterOrDigit(text.charAt(j))
            || text.charAt(j) == '_'
            || text.charAt(j) == '$')) {
      j++;
    }
    return j;
  }

  private static boolean previousWordIs(String text, int i, String word) {
    int j = i - 1;
    while (j >= 0 && Character.isWhitespace(text.charAt(j))) {
      j--;
    }
    int end = j + 1;
    while (j >= 0 && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
      j--;
    }
    return text.substring(j + 1, end).equalsIgnoreCase(word);
  }

  /** The 1-based line of char index {@code offset} in {@code text}. */
  static int lineOf(String text, int offset) {
    int line = 1;
    int end = Math.min(offset, text.length());
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
