package dev.strata.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;

/** The {@code strata} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(Path.of("").toAbsolutePath(), out, err, true, args));
  }

  /**
   * Runs one command line in {@code workDir}, printing to {@code out} and {@code err}, and returns
   * its exit code: 0, or an {@link dev.strata.core.ErrorCode}. Shells ({@code strata psql}) have
   * their output copied to {@code out}; for tests and embedding.
   */
  public static int execute(Path workDir, PrintWriter out, PrintWriter err, String... args) {
    return run(workDir, out, err, false, args);
  }

  private static int run(
      Path workDir, PrintWriter out, PrintWriter err, boolean terminal, String... args) {
    StrataCommand root = new StrataCommand(workDir, terminal);
    CommandLine cli = StrataCommand.commandLine(root, args);
    withHelpOptions(cli);
    CommandList.install(cli);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setParameterExceptionHandler(ErrorHandler::onBadArguments);
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Every command and subcommand takes --help and --version (which names the build). */
  private static void withHelpOptions(CommandLine cli) {
    cli.getCommandSpec().mixinStandardHelpOptions(true);
    cli.getCommandSpec().versionProvider(new StrataCommand.Version());
    cli.getSubcommands().values().forEach(Main::withHelpOptions);
  }
}
