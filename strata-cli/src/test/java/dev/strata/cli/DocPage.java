package dev.strata.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tested examples of one Markdown page, in page order: a fenced block right after a line {@code
 * <!-- doctest -->} is a console session to run; one after {@code <!-- doctest: FILE -->} is
 * written to FILE (relative to where the commands stand then) before the next session runs. A page
 * with a line {@code <!-- doctest-by: CLASS -->} is run by that test class of this package (a
 * blueprint's, which checks the running stack further) instead of by {@link DocsExamplesIT}.
 */
record DocPage(Path file, List<Step> steps, java.util.Optional<String> owner) {
  private static final Pattern MARKER =
      Pattern.compile("\\s*<!-- doctest(?::\\s*(\\S+))?\\s*-->\\s*");
  private static final Pattern OWNER = Pattern.compile("\\s*<!-- doctest-by:\\s*(\\w+)\\s*-->\\s*");
  private static final Pattern FENCE = Pattern.compile("(\\s*)```(\\w*)\\s*");

  /** A file a page shows, written where the session stands. */
  record WriteFile(int line, String name, String text) implements Step {}

  /** A console session: its commands, each with the lines the page shows it printing. */
  record Session(int line, List<Command> commands) implements Step {}

  /** One {@code $ } line and the output lines under it. */
  record Command(int line, String text, List<String> output) {}

  sealed interface Step permits WriteFile, Session {}

  static DocPage read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Step> steps = new ArrayList<>();
    java.util.Optional<String> owner = java.util.Optional.empty();
    for (int i = 0; i < lines.size(); i++) {
      Matcher by = OWNER.matcher(lines.get(i));
      if (by.matches()) {
        owner = java.util.Optional.of(by.group(1));
        continue;
      }
      Matcher marker = MARKER.matcher(lines.get(i));
      if (!marker.matches()) {
        continue;
      }
      Matcher fence = i + 1 < lines.size() ? FENCE.matcher(lines.get(i + 1)) : null;
      if (fence == null || !fence.matches()) {
        throw new IllegalStateException(
            file + ":" + (i + 1) + ": <!-- doctest --> must be followed by a fenced block");
      }
      String indent = fence.group(1);
      List<String> body = new ArrayList<>();
      int j = i + 2;
      for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
        String l = lines.get(j);
        body.add(l.startsWith(indent) ? l.substring(indent.length()) : l.strip());
      }
      if (marker.group(1) != null) {
        steps.add(new WriteFile(i + 3, marker.group(1), String.join("\n", body) + "\n"));
      } else if (fence.group(2).equals("console")) {
        steps.add(new Session(i + 3, commands(i + 3, body)));
      } else {
        throw new IllegalStateException(
            file + ":" + (i + 1) + ": a doctest block is ```console, or names the file it writes");
      }
      i = j;
    }
    return new DocPage(file, steps, owner);
  }

  private static List<Command> commands(int firstLine, List<String> body) {
    List<Command> commands = new ArrayList<>();
    for (int k = 0; k < body.size(); k++) {
      String l = body.get(k);
      if (l.startsWith("$ ")) {
        commands.add(new Command(firstLine + k, l.substring(2), new ArrayList<>()));
      } else if (commands.isEmpty()) {
        throw new IllegalStateException(
            "line " + (firstLine + k) + ": output before any `$ ` command");
      } else {
        commands.get(commands.size() - 1).output().add(l);
      }
    }
    return commands;
  }

  boolean tested() {
    return !steps.isEmpty();
  }
}
