package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command, at every level, explains itself with --help and exits 0. */
class HelpTest {

  @Test
  void every_command_answers_help() {
    List<String> commands = new ArrayList<>();
    collect(StrataCommand.commandLine(new StrataCommand(Path.of("."), false)), commands);
    assertThat(commands).contains("strata up", "strata migrate up", "strata tenancy verify");
    for (String command : commands) {
      List<String> args =
          new ArrayList<>(List.of(command.split(" ")).subList(1, command.split(" ").length));
      args.add("--help");
      Cli help = Cli.run(Path.of("."), args.toArray(String[]::new));
      assertThat(help.exitCode()).as(command + " --help: " + help).isZero();
      assertThat(help.out()).as(command).startsWith("Usage: " + command);
    }
  }

  @Test
  void every_command_prints_the_version() {
    for (String command :
        List.of("--version", "up --version", "migrate up --version", "tenancy plan -V")) {
      Cli v = Cli.run(Path.of("."), command.split(" "));
      assertThat(v.exitCode()).as(command).isZero();
      assertThat(v.out()).as(command).startsWith("strata ");
    }
  }

  @Test
  void command_lists_end_each_entry_on_a_whole_sentence() {
    List<String> commands = new ArrayList<>();
    collect(StrataCommand.commandLine(new StrataCommand(Path.of("."), false)), commands);
    int lists = 0;
    for (String command : commands) {
      List<String> args =
          new ArrayList<>(List.of(command.split(" ")).subList(1, command.split(" ").length));
      args.add("--help");
      String help = Cli.run(Path.of("."), args.toArray(String[]::new)).out();
      if (help.contains("Commands:")) {
        lists++;
        assertThat(cutEntries(help)).as(command + " --help:\n" + help).isEmpty();
      }
    }
    assertThat(lists).isGreaterThanOrEqualTo(5);
  }

  @Test
  void the_sentence_check_catches_picocli_s_own_first_line_list() {
    // Picocli lists a description's first line; tenancy's wrap, so its list is cut mid-sentence.
    CommandLine plain = StrataCommand.commandLine(new StrataCommand(Path.of("."), false));
    String help = plain.getSubcommands().get("tenancy").getUsageMessage();
    assertThat(cutEntries(help)).isNotEmpty();
  }

  @Test
  void the_summary_is_the_first_sentence_whatever_its_lines() {
    CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create();
    spec.usageMessage().description("Does one thing, e.g. this", "one. Then more.");
    assertThat(CommandList.summary(spec)).isEqualTo("Does one thing, e.g. this one.");
    assertThat(CommandList.wrap("aa bb cc", 5)).containsExactly("aa bb", "cc");
  }

  /** The entries of the "Commands:" list whose text does not end a sentence. */
  static List<String> cutEntries(String help) {
    List<String> cut = new ArrayList<>();
    String section = help.substring(help.indexOf("Commands:") + "Commands:".length());
    StringBuilder entry = new StringBuilder();
    for (String line : (section + "\n  end.").split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.matches("  \\S.*") && entry.length() > 0) {
        if (!entry.toString().strip().matches("(?s).*[.)!?]$")) {
          cut.add(entry.toString().strip());
        }
        entry.setLength(0);
      }
      entry.append(' ').append(line.strip());
    }
    return cut;
  }

  @Test
  void an_unknown_command_or_option_exits_2_with_the_fix() {
    Cli unknown = Cli.run(Path.of("."), "upp");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unmatched argument").contains("fix: see `strata --help`");
    Cli option = Cli.run(Path.of("."), "status", "--jsn");
    assertThat(option.exitCode()).isEqualTo(2);
    assertThat(option.err()).contains("--jsn").contains("fix: see `strata status --help`");
  }

  private static void collect(CommandLine cli, List<String> into) {
    into.add(cli.getCommandSpec().qualifiedName());
    cli.getSubcommands().values().forEach(sub -> collect(sub, into));
  }
}
