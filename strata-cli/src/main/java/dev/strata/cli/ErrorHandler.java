package dev.strata.cli;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one clear message and an exit code: a {@link StrataException} prints its
 * message and fix; anything else is a bug in Strata and prints its stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
    if (e instanceof StrataException se) {
      cli.getErr().println("strata: " + se.describe());
      return se.code().exitCode();
    }
    cli.getErr()
        .println("strata: unexpected error (a bug in Strata; please report it with this trace):");
    e.printStackTrace(cli.getErr());
    return ErrorCode.FAILED.exitCode();
  }

  static int onBadArguments(ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    cli.getErr().println("strata: " + e.getMessage());
    cli.getErr().println("  fix: see `" + cli.getCommandSpec().qualifiedName() + " --help`");
    return ErrorCode.BAD_INPUT.exitCode();
  }
}
