package dev.strata.ops.backup;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.strata.core.StrataException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One backup in the repository, as {@code pgbackrest info --output=json} reports it.
 *
 * @param label pgBackRest's name of the set, e.g. {@code 20261202-050102F}
 * @param type full, diff or incr
 * @param start when the backup started
 * @param stop when it ended: the earliest time it can be restored to
 * @param repositorySize bytes it takes in the repository (compressed, encrypted)
 * @param databaseSize bytes of the database it copied
 * @param walStart the first WAL segment it needs
 * @param walStop the last WAL segment it needs
 * @param prior the set it is based on (diff and incr); empty for a full backup
 * @param error whether pgBackRest found a page checksum error while copying
 */
public record BackupSet(
    String label,
    String type,
    Instant start,
    Instant stop,
    long repositorySize,
    long databaseSize,
    String walStart,
    String walStop,
    Optional<String> prior,
    boolean error) {

  // pgBackRest quotes an undecryptable file's bytes raw in its status message.
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS).build();

  /** The sets of the stanza in {@code json}, oldest first. */
  static List<BackupSet> parse(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      List<BackupSet> sets = new ArrayList<>();
      for (JsonNode stanza : root) {
        requireReadable(stanza);
        for (JsonNode b : stanza.path("backup")) {
          sets.add(
              new BackupSet(
                  b.path("label").asText(),
                  b.path("type").asText(),
                  Instant.ofEpochSecond(b.path("timestamp").path("start").asLong()),
                  Instant.ofEpochSecond(b.path("timestamp").path("stop").asLong()),
                  b.path("info").path("repository").path("delta").asLong(),
                  b.path("info").path("size").asLong(),
                  b.path("archive").path("start").asText(""),
                  b.path("archive").path("stop").asText(""),
                  b.path("prior").isNull() || b.path("prior").isMissingNode()
                      ? Optional.empty()
                      : Optional.of(b.path("prior").asText()),
                  b.path("error").asBoolean(false)));
        }
      }
      return List.copyOf(sets);
    } catch (IOException e) {
      throw StrataException.failed(
          "pgbackrest info printed what is not JSON: " + e.getMessage(), "", e);
    }
  }

  /**
   * pgBackRest reports an unreadable repository in the status, not the exit code: 0 is ok, 2 no
   * backup yet, 6 a backup running; anything else is an error.
   */
  private static void requireReadable(JsonNode stanza) {
    int code = stanza.path("status").path("code").asInt(0);
    if (code == 0 || code == 2 || code == 6) {
      return;
    }
    // The stanza's message is a summary ("other"); each repository's status says what failed.
    StringBuilder detail = new StringBuilder();
    for (JsonNode repo : stanza.path("repo")) {
      detail.append(repo.path("status").path("message").asText("")).append('\n');
    }
    String full =
        detail.toString().isBlank()
            ? stanza.path("status").path("message").asText("")
            : detail.toString();
    String message = full.lines().findFirst().orElse("").replaceAll("[^\\x20-\\x7e]", "?");
    boolean cipher =
        full.contains("FormatError") || full.contains("cipher") || full.contains("decrypt");
    throw StrataException.failed(
        "the backup repository cannot be read: "
            + message.strip()
            + (cipher
                ? "\n(its files do not decrypt with the passphrase pgbackrest.cipher in"
                    + " .strata/secrets: the repository was made with another one)"
                : ""),
        cipher
            ? "put the repository's passphrase back in .strata/secrets (pgbackrest.cipher); without"
                + " it the backups cannot be read by anyone"
            : "see pgBackRest's message above",
        null);
  }

  /** The WAL range the stanza's archive holds, {@code min-max}; empty when none. */
  static Optional<String> archiveRange(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      for (JsonNode stanza : root) {
        for (JsonNode a : stanza.path("archive")) {
          if (a.hasNonNull("min")) {
            return Optional.of(a.path("min").asText() + "-" + a.path("max").asText());
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
