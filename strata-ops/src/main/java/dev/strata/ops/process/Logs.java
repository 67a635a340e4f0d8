package dev.strata.ops.process;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Reading the ends of server logs, for error messages and {@code strata logs}. */
public final class Logs {
  private Logs() {}

  /** The last {@code n} non-blank lines of {@code text}. */
  public static String lastLines(String text, int n) {
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  /** The last {@code n} lines of a log file; empty when it cannot be read. */
  public static String tail(Path file, int n) {
    try {
      return lastLines(Files.readString(file, StandardCharsets.ISO_8859_1), n);
    } catch (IOException e) {
      return "";
    }
  }

  /** The size of a log file now, to read later what a start attempt added ({@link #since}). */
  public static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** What a log file holds past {@code offset}. */
  public static String since(Path file, long offset) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      int from = (int) Math.min(offset, bytes.length);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  public static String indent(String text) {
    return text.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
  }

  /**
   * The error for a server that did not start: why, and what its log says since {@code offset} (its
   * size before the attempt), which usually names the cause.
   */
  public static StrataException startFailure(
      String server, String why, Path log, long offset, String fix) {
    return StrataException.failed(
        server
            + " did not start"
            + (why.isEmpty() ? "" : ": " + why)
            + "\n  end of "
            + log
            + ":\n"
            + indent(lastLines(since(log, offset), 10)),
        fix,
        null);
  }
}
