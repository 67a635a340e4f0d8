package dev.strata.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The root {@code strata} command: options every subcommand shares. */
@Command(
    name = "strata",
    versionProvider = StrataCommand.Version.class,
    description = "Runs a PostgreSQL + PgBouncer + Redis data tier from one strata.yaml.")
public final class StrataCommand {
  private final Path workDir;
  private final boolean terminal;

  @Spec CommandSpec commandSpec;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description =
          "The strata.yaml to use (default: ./strata.yaml); the stack's state lives beside it.")
  Path file;

  /**
   * Every subcommand by name, in --help's order. Picocli reads a command's annotations (and its
   * classes load and verify) when the command is added, which for all of them is most of a short
   * command's run: {@link #commandLine} adds only the one the arguments name.
   */
  static final List<Map.Entry<String, Class<?>>> SUBCOMMANDS =
      List.of(
          Map.entry("init", InitCommand.class),
          Map.entry("install", InstallCommand.class),
          Map.entry("up", UpCommand.class),
          Map.entry("down", DownCommand.class),
          Map.entry("status", StatusCommand.class),
          Map.entry("env", EnvCommand.class),
          Map.entry("logs", LogsCommand.class),
          Map.entry("psql", PsqlCommand.class),
          Map.entry("redis-cli", RedisCliCommand.class),
          Map.entry("destroy", DestroyCommand.class),
          Map.entry("reset", ResetCommand.class),
          Map.entry("migrate", MigrateCommand.class),
          Map.entry("tenancy", TenancyCommand.class),
          Map.entry("cache", CacheCommand.class),
          Map.entry("pooler", PoolerCommand.class),
          Map.entry("backup", BackupCommand.class),
          Map.entry("restore", RestoreCommand.class),
          Map.entry("drill", DrillCommand.class),
          Map.entry("dump", DumpCommand.class),
          Map.entry("alerts", AlertsCommand.class),
          Map.entry("monitor", MonitorCommand.class),
          Map.entry("maintain", MaintainCommand.class),
          Map.entry("agent", AgentCommand.class),
          Map.entry("switchover", SwitchoverCommand.class),
          Map.entry("failover", FailoverCommand.class));

  /**
   * The command line for {@code args}: with only the subcommand they name when they name one (so
   * {@code strata up} builds no other command's model), else with every subcommand (help, a
   * mistyped name and its suggestions).
   */
  static CommandLine commandLine(StrataCommand root, String... args) {
    CommandLine cli = new CommandLine(root);
    Optional<String> named = subcommandName(args);
    for (Map.Entry<String, Class<?>> sub : SUBCOMMANDS) {
      if (named.isEmpty() || named.get().equals(sub.getKey())) {
        cli.addSubcommand(sub.getKey(), sub.getValue());
      }
    }
    return cli;
  }

  /** The every-subcommand command line, as --help shows it. */
  static CommandLine commandLine(StrataCommand root) {
    return commandLine(root, new String[0]);
  }

  /**
   * The subcommand {@code args} name: the first argument that is not a root option (or the value of
   * {@code -f}), when it is a subcommand's name.
   */
  static Optional<String> subcommandName(String... args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-f") || arg.equals("--file")) {
        i++;
      } else if (!arg.startsWith("-")) {
        return SUBCOMMANDS.stream().map(Map.Entry::getKey).filter(arg::equals).findFirst();
      }
    }
    return Optional.empty();
  }

  StrataCommand(Path workDir, boolean terminal) {
    this.workDir = workDir;
    this.terminal = terminal;
  }

  /** The project: its strata.yaml, read on first use. */
  Workspace workspace() {
    return Workspace.open(workspaceFile(), file != null);
  }

  /** The strata.yaml path, whether or not it exists. */
  Path workspaceFile() {
    return (file == null ? workDir.resolve("strata.yaml") : workDir.resolve(file))
        .toAbsolutePath()
        .normalize();
  }

  /** The folder the command runs in. */
  Path workDir() {
    return workDir;
  }

  /** Whether the process owns a terminal, so shells can take it over. */
  boolean terminal() {
    return terminal;
  }

  PrintWriter out() {
    return commandSpec.commandLine().getOut();
  }

  PrintWriter err() {
    return commandSpec.commandLine().getErr();
  }

  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = StrataCommand.class.getPackage().getImplementationVersion();
      return new String[] {"strata " + (v == null ? "development build" : v)};
    }
  }
}
