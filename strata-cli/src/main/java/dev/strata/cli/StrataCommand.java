package dev.strata.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The root {@code strata} command: options every subcommand shares. */
@Command(
    name = "strata",
    versionProvider = StrataCommand.Version.class,
    description = "Runs a PostgreSQL + PgBouncer + Redis data tier from one strata.yaml.",
    subcommands = {
      InitCommand.class,
      InstallCommand.class,
      UpCommand.class,
      DownCommand.class,
      StatusCommand.class,
      EnvCommand.class,
      LogsCommand.class,
      PsqlCommand.class,
      RedisCliCommand.class,
      DestroyCommand.class,
      ResetCommand.class,
      MigrateCommand.class,
      TenancyCommand.class,
      CacheCommand.class,
      PoolerCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      DrillCommand.class,
      DumpCommand.class,
      AlertsCommand.class,
      MonitorCommand.class,
      MaintainCommand.class,
      AgentCommand.class,
      SwitchoverCommand.class,
      FailoverCommand.class
    })
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
