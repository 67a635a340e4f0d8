package dev.strata.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what a page shows a command printing with what it printed. The page's lines may hold
 * placeholders for what differs from run to run (see CONTRIBUTING.md): {@code <port>}, {@code
 * <pid>}, {@code <n>} (a number: a duration, a count), {@code <time>} (a timestamp), {@code
 * <password>}, {@code <version>}, {@code <dir>} (the folder the page runs in), {@code <...>} (any
 * text within the line); a line that is only {@code ...} stands for any number of lines. A run of
 * spaces matches any run of spaces (table columns widen with their values), and trailing spaces are
 * ignored.
 */
final class DocOutput {
  private static final Map<String, String> PLACEHOLDERS =
      Map.of(
          "<port>", "\\d{1,5}",
          "<pid>", "\\d+",
          "<n>", "-?\\d+(?:\\.\\d+)?",
          "<time>", "[0-9][0-9TZ:.+\\-]*[0-9Z]",
          "<password>", "[^\\s@'\"]+",
          "<version>", "[0-9][0-9A-Za-z.\\-]*",
          "<...>", ".*");
  private static final Pattern TOKEN =
      Pattern.compile("<port>|<pid>|<n>|<time>|<password>|<version>|<\\.\\.\\.>|<dir>| +");
  static final String ANY_LINES = "...";

  private DocOutput() {}

  /** The regular expression one expected line stands for, in a page run in {@code dir}. */
  static Pattern linePattern(String expected, String dir) {
    StringBuilder regex = new StringBuilder();
    Matcher m = TOKEN.matcher(expected.stripTrailing());
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(expected.substring(last, m.start())));
      String token = m.group();
      if (token.isBlank()) {
        regex.append(" +");
      } else if (token.equals("<dir>")) {
        regex.append(Pattern.quote(dir));
      } else {
        regex.append(PLACEHOLDERS.get(token));
      }
      last = m.end();
    }
    regex.append(Pattern.quote(expected.stripTrailing().substring(last)));
    return Pattern.compile(regex.toString());
  }

  /**
   * Whether {@code actual} matches {@code expected} line for line, {@code ...} lines matching any
   * number of lines.
   */
  static boolean matches(List<String> expected, List<String> actual, String dir) {
    List<Pattern> patterns = new ArrayList<>();
    for (String line : expected) {
      patterns.add(line.strip().equals(ANY_LINES) ? null : linePattern(line, dir));
    }
    List<String> lines = actual.stream().map(String::stripTrailing).toList();
    // match[i][j]: patterns from i match lines from j.
    boolean[][] match = new boolean[patterns.size() + 1][lines.size() + 1];
    match[patterns.size()][lines.size()] = true;
    for (int i = patterns.size() - 1; i >= 0; i--) {
      for (int j = lines.size(); j >= 0; j--) {
        Pattern p = patterns.get(i);
        if (p == null) {
          match[i][j] = match[i + 1][j] || (j < lines.size() && match[i][j + 1]);
        } else {
          match[i][j] =
              j < lines.size() && p.matcher(lines.get(j)).matches() && match[i + 1][j + 1];
        }
      }
    }
    return match[0][0];
  }

  /** The first expected line, in order, that no line of {@code actual} matches: for the report. */
  static String firstMissing(List<String> expected, List<String> actual, String dir) {
    int from = 0;
    for (String line : expected) {
      if (line.strip().equals(ANY_LINES)) {
        continue;
      }
      Pattern p = linePattern(line, dir);
      int found = -1;
      for (int j = from; j < actual.size(); j++) {
        if (p.matcher(actual.get(j).stripTrailing()).matches()) {
          found = j;
          break;
        }
      }
      if (found < 0) {
        return line;
      }
      from = found + 1;
    }
    return "(every line is there, but there are lines the page does not show)";
  }
}
