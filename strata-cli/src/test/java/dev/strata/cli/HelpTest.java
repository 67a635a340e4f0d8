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
    collect(new CommandLine(new StrataCommand(Path.of("."), false)), commands);
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
