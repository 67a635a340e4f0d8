package dev.strata.ops.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Backups pinned against expiry (the one {@code strata migrate up --backup} takes before a
 * migration), with why, beside the repository in {@code strata-kept.jsonl}. pgBackRest has no such
 * notion, so while any backup is pinned Strata does the expiring (see {@link Retention}).
 */
public final class KeptBackups {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public KeptBackups(PgBackRest engine) {
    this.file = engine.repository().resolve("strata-kept.jsonl");
  }

  /** Pins {@code label}. */
  void pin(String label, String reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", label);
    m.put("reason", reason);
    m.put("at", Instant.now().toString());
    try {
      Files.writeString(
          file,
          JSON.writeValueAsString(m) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the kept backup in " + file, e);
    }
  }

  /** Every pinned label with its reason. */
  public Map<String, String> pinned() {
    Map<String, String> pins = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return pins;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          var n = JSON.readTree(line);
          pins.put(n.path("label").asText(), n.path("reason").asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return pins;
  }
}
