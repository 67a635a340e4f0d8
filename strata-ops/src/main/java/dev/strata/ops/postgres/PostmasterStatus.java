package dev.strata.ops.postgres;

import dev.strata.ops.process.PidFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a postmaster writes of itself in {@code postmaster.pid}: its pid (line 1), its start time in
 * seconds since the epoch (line 3) and, from PostgreSQL 10, its status (line 8: {@code starting},
 * {@code ready}, {@code standby}, {@code stopping}). {@code pg_ctl start -w} reads the same file,
 * every 100 ms; reading it every few milliseconds answers as soon as the server accepts
 * connections.
 */
final class PostmasterStatus {
  /** pg_ctl's own allowance for a clock step between its start and the postmaster's. */
  private static final long CLOCK_SLACK_SECONDS = 2;

  private PostmasterStatus() {}

  /**
   * Whether a postmaster started at or after {@code sinceEpochSecond} runs on {@code dataDir} and
   * accepts connections. A file left by an earlier postmaster (a crash) is older, so never counts.
   */
  static boolean ready(Path dataDir, long sinceEpochSecond) {
    Path file = dataDir.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      return false;
    }
    return ready(lines, sinceEpochSecond) && new PidFile(file, "postgres").alive();
  }

  /** The same, from the file's lines alone (the process is not checked). */
  static boolean ready(List<String> lines, long sinceEpochSecond) {
    if (lines.size() < 8) {
      return false; // still being written, or a server that does not report its status
    }
    long started;
    try {
      started = Long.parseLong(lines.get(2).trim());
    } catch (NumberFormatException e) {
      return false;
    }
    String status = lines.get(7).trim();
    return started >= sinceEpochSecond - CLOCK_SLACK_SECONDS
        && (status.equals("ready") || status.equals("standby"));
  }
}
