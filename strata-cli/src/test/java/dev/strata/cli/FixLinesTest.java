package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every `strata …` command line that the code tells a user to run (in a fix line, a hint, a
 * description) parses: it names commands and options that exist. {@code --allow-changed} was
 * suggested by a fix line after the option was gone.
 */
class FixLinesTest {
  private static final Pattern COMMAND = Pattern.compile("`strata ([^`\"]+)`");

  @Test
  void every_suggested_command_line_parses() throws IOException {
    TreeSet<String> lines = new TreeSet<>();
    for (String module :
        List.of("strata-cli", "strata-ops", "strata-jdbc", "strata-core", "strata-test")) {
      try (Stream<Path> files =
          Files.walk(DocsExamplesIT.CHECKOUT.resolve(module).resolve("src/main"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = COMMAND.matcher(Files.readString(f));
          while (m.find()) {
            lines.add(m.group(1));
          }
        }
      }
    }
    assertThat(lines).contains("reset --yes", "migrate repair", "destroy --yes");
    List<String> broken = new ArrayList<>();
    for (String line : lines) {
      String problem = problem(line);
      if (problem != null) {
        broken.add("`strata " + line + "`: " + problem);
      }
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void the_check_catches_an_option_that_does_not_exist() {
    assertThat(problem("migrate down 1 --allow-changedd")).contains("--allow-changedd");
    assertThat(problem("tenancy planz")).isNotNull();
    assertThat(problem("restore --dump FILE [--table T]")).isNull();
  }

  /** Why {@code line} does not parse, or null; placeholders (NAME, V, [--opt X]) become values. */
  static String problem(String line) {
    List<String> args = new ArrayList<>();
    for (String token : line.replace("[", "").replace("]", "").trim().split("\\s+")) {
      if (token.equals("V") || token.equals("N") || token.equals("VERSION")) {
        args.add("1");
      } else if (token.matches("[A-Z][A-Z_]*")) {
        args.add("x");
      } else {
        args.add(token);
      }
    }
    CommandLine cli = StrataCommand.commandLine(new StrataCommand(Path.of("."), false));
    try {
      cli.parseArgs(args.toArray(String[]::new));
      return null;
    } catch (CommandLine.ParameterException e) {
      return e.getMessage();
    }
  }
}
