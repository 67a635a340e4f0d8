package dev.strata.ops.process;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One external command: its arguments, environment, input and time limit. Secrets go in through the
 * environment or standard input, never the arguments (which {@code ps} shows to everyone).
 */
public final class Exec {
  private final List<String> command;
  private final Map<String, String> environment = new HashMap<>();
  private Path workDir;
  private String input;
  private Path outputFile;
  private Duration timeout = Duration.ofMinutes(2);

  private Exec(List<String> command) {
    this.command = List.copyOf(command);
  }

  public static Exec of(List<String> command) {
    return new Exec(command);
  }

  public static Exec of(String... command) {
    return new Exec(List.of(command));
  }

  public Exec env(String name, String value) {
    environment.put(name, Objects.requireNonNull(value, name));
    return this;
  }

  public Exec workDir(Path dir) {
    this.workDir = dir;
    return this;
  }

  /** Text written to the command's standard input. */
  public Exec input(String text) {
    this.input = text;
    return this;
  }

  /**
   * Sends standard output and error to a file instead of capturing them: for commands that leave a
   * daemon behind, which would otherwise hold the pipe open.
   */
  public Exec outputTo(Path file) {
    this.outputFile = file;
    return this;
  }

  public Exec timeout(Duration limit) {
    this.timeout = limit;
    return this;
  }

  public List<String> command() {
    return command;
  }

  /** Runs the command and returns its result, whatever its exit code. */
  public Result run() {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(environment);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    if (outputFile != null) {
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()));
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot run " + command.get(0) + ": " + e.getMessage(), "check that it is installed");
    }
    try {
      writeInput(process);
      String output = outputFile == null ? read(process.getInputStream()) : "";
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw StrataException.failed(
            String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s",
            "",
            null);
      }
      return new Result(command, process.exitValue(), output);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw StrataException.failed("interrupted while running " + command.get(0), "", e);
    }
  }

  /**
   * Runs the command and returns its output.
   *
   * @throws StrataException naming the command and showing its output when it exits non-zero
   */
  public String check() {
    Result result = run();
    if (result.exitCode() != 0) {
      throw StrataException.failed(result.describeFailure(), "", null);
    }
    return result.output();
  }

  private void writeInput(Process process) {
    try (OutputStream in = process.getOutputStream()) {
      if (input != null) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The command exited before reading all of its input; its exit code and output say why.
    }
  }

  private static String read(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** What a command did. */
  public record Result(List<String> command, int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** The command's name, exit code and its last lines of output. */
    public String describeFailure() {
      List<String> args = new ArrayList<>(command);
      String name = args.get(0).endsWith("runuser") && args.size() > 3 ? args.get(3) : args.get(0);
      return Path.of(name).getFileName()
          + " failed (exit "
          + exitCode
          + "):\n"
          + Logs.indent(Logs.lastLines(output, 12));
    }
  }
}
