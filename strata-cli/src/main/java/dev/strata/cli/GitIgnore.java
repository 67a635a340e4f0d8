package dev.strata.cli;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines a Strata project keeps out of git: {@code .strata/} (data, keys, secrets) and {@code
 * .env} (what {@code strata env --format dotenv} writes, passwords included).
 */
final class GitIgnore {
  static final List<String> LINES = List.of(".strata/", ".env");

  private GitIgnore() {}

  /**
   * Writes {@code .gitignore} in {@code dir}, or appends the lines it lacks; returns what it did,
   * for the user, or an empty string when it already had them all.
   */
  static String ensure(Path dir) {
    Path file = dir.resolve(".gitignore");
    try {
      String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      List<String> have = text.lines().map(String::strip).toList();
      List<String> missing = new ArrayList<>();
      for (String line : LINES) {
        String bare = line.endsWith("/") ? line.substring(0, line.length() - 1) : line;
        if (!have.contains(line) && !have.contains(bare) && !have.contains("/" + line)) {
          missing.add(line);
        }
      }
      if (missing.isEmpty()) {
        return "";
      }
      StringBuilder add = new StringBuilder();
      if (!text.isEmpty() && !text.endsWith("\n")) {
        add.append('\n');
      }
      add.append("# Strata: the stack's data and secrets, and the .env `strata env` writes\n");
      missing.forEach(line -> add.append(line).append('\n'));
      Files.writeString(file, text + add, StandardCharsets.UTF_8);
      return (text.isEmpty() ? "wrote " : "added " + String.join(" and ", missing) + " to ") + file;
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write " + file + ": " + e.getMessage(), "check the directory's permissions");
    }
  }
}
