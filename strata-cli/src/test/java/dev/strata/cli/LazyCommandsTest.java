package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** A command line builds only the subcommand its arguments name; help still lists them all. */
class LazyCommandsTest {

  @Test
  void each_entry_is_named_as_its_command_class_names_itself() {
    for (Map.Entry<String, Class<?>> sub : StrataCommand.SUBCOMMANDS) {
      assertThat(sub.getValue().getAnnotation(Command.class).name())
          .as(sub.getValue().getSimpleName())
          .isEqualTo(sub.getKey());
    }
  }

  @Test
  void a_named_subcommand_is_the_only_one_built() {
    CommandLine up = StrataCommand.commandLine(root(), "-f", "x.yaml", "up", "--json");
    assertThat(up.getSubcommands().keySet()).containsExactly("up");
    CommandLine migrate = StrataCommand.commandLine(root(), "--file=x.yaml", "migrate", "up");
    assertThat(migrate.getSubcommands().keySet()).containsExactly("migrate");
    assertThat(migrate.getSubcommands().get("migrate").getSubcommands()).containsKey("up");
  }

  @Test
  void a_value_of_f_is_not_taken_for_a_command() {
    assertThat(StrataCommand.subcommandName("-f", "up", "down")).contains("down");
  }

  @Test
  void no_or_an_unknown_name_builds_every_subcommand() {
    int all = StrataCommand.SUBCOMMANDS.size();
    assertThat(StrataCommand.commandLine(root()).getSubcommands()).hasSize(all);
    assertThat(StrataCommand.commandLine(root(), "--help").getSubcommands()).hasSize(all);
    assertThat(StrataCommand.commandLine(root(), "upp").getSubcommands()).hasSize(all);
  }

  @Test
  void a_mistyped_command_still_gets_its_suggestion() {
    Cli cli = Cli.run(Path.of("."), "upp");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("up");
  }

  private static StrataCommand root() {
    return new StrataCommand(Path.of("."), false);
  }
}
