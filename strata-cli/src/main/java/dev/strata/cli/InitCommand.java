package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.spec.SpecTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "init",
    description = "Writes a commented strata.yaml with every key at its default.")
final class InitCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--print", description = "Print it instead of writing the file.")
  boolean print;

  @Option(names = "--force", description = "Overwrite an existing strata.yaml.")
  boolean force;

  @Override
  public Integer call() {
    String text = SpecTemplate.render();
    if (print) {
      root.out().print(text);
      return 0;
    }
    Path file = root.workspaceFile();
    if (Files.exists(file) && !force) {
      throw StrataException.badInput(
          file + " already exists", "edit it, or run `strata init --force` to overwrite it");
    }
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write " + file + ": " + e.getMessage(), "check the directory's permissions");
    }
    root.out().println("wrote " + file + "; edit it, then run `strata up`");
    return 0;
  }
}
