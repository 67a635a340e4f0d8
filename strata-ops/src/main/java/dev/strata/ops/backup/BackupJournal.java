package dev.strata.ops.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strata's record of every backup attempt, beside the repository ({@code strata-backups.jsonl}, one
 * JSON object a line): pgBackRest lists only the backups that completed, so a backup killed or
 * failed half-way would otherwise leave no trace. An attempt is written when it starts and again
 * when it ends; one still "running" whose process is gone was interrupted and counts as failed.
 */
public final class BackupJournal {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One attempt: kind (full, diff, incr, redis), result (ok, failed, running), when, why. */
  public record Attempt(
      String id, String type, Instant started, String result, String label, String cause) {
    /** Whether it completed. */
    public boolean ok() {
      return result.equals("ok");
    }
  }

  private final Path file;

  public BackupJournal(PgBackRest engine) {
    this.file = engine.repository().resolve("strata-backups.jsonl");
  }

  /** Records that an attempt started; returns its id. */
  String started(String type) {
    Instant now = Instant.now();
    String id = type + "-" + now.toEpochMilli();
    append(id, type, now, "running", "", "");
    return id;
  }

  /** Records how the attempt {@code id} ended. */
  void ended(String id, String type, Instant started, boolean ok, String label, String cause) {
    append(id, type, started, ok ? "ok" : "failed", label, cause);
  }

  private void append(
      String id, String type, Instant started, String result, String label, String cause) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("type", type);
    m.put("started", started.toString());
    m.put("result", result);
    m.put("label", label);
    m.put("cause", cause);
    m.put("pid", ProcessHandle.current().pid());
    try {
      Files.writeString(
          file,
          JSON.writeValueAsString(m) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the backup attempt in " + file, e);
    }
  }

  /** Every attempt, oldest first, each in its last recorded state. */
  public List<Attempt> attempts() {
    if (!Files.exists(file)) {
      return List.of();
    }
    Map<String, Attempt> byId = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        var n = JSON.readTree(line);
        String result = n.path("result").asText();
        String cause = n.path("cause").asText("");
        if (result.equals("running")
            && ProcessHandle.of(n.path("pid").asLong()).map(ProcessHandle::isAlive).orElse(false)
                == false) {
          result = "failed";
          cause = "interrupted: the process running it ended before it finished";
        }
        String id = n.path("id").asText();
        byId.put(
            id,
            new Attempt(
                id,
                n.path("type").asText(),
                Instant.parse(n.path("started").asText()),
                result,
                n.path("label").asText(""),
                cause));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return List.copyOf(new ArrayList<>(byId.values()));
  }
}
