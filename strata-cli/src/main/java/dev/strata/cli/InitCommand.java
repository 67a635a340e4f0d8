package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.spec.ConfigReference;
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
    description =
        "Writes a commented strata.yaml with every key at its default, the JSON Schema beside"
            + " it that editors complete and check keys with, and a .gitignore (or the lines it"
            + " lacks) with .strata/ and .env.")
final class InitCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(names = "--print", description = "Print it instead of writing the file.")
  boolean print;

  @Option(names = "--force", description = "Overwrite an existing strata.yaml.")
  boolean force;

  @Option(
      names = "--schema",
      description =
          "Write only the schema ("
              + SpecTemplate.SCHEMA_FILE
              + "), e.g. after upgrading strata;"
              + " with --print, print it.")
  boolean schemaOnly;

  @Override
  public Integer call() {
    if (print) {
      root.out().print(schemaOnly ? ConfigReference.schema() : SpecTemplate.render());
      return 0;
    }
    Path file = root.workspaceFile();
    Path schema = file.resolveSibling(SpecTemplate.SCHEMA_FILE);
    if (schemaOnly) {
      write(schema, ConfigReference.schema());
      root.out().println("wrote " + schema + modelineHint(file));
      return 0;
    }
    if (Files.exists(file) && !force) {
      throw StrataException.badInput(
          file + " already exists",
          "edit it, run `strata init --schema` to rewrite only "
              + SpecTemplate.SCHEMA_FILE
              + ", or `strata init --force` to overwrite strata.yaml");
    }
    write(file, SpecTemplate.render());
    write(schema, ConfigReference.schema());
    root.out().println("wrote " + file + " and " + schema + "; edit it, then run `strata up`");
    String ignored = GitIgnore.ensure(file.getParent());
    if (!ignored.isEmpty()) {
      root.out().println(ignored + " (keeps the stack's data and secrets out of git)");
    }
    return 0;
  }

  /** Says how to point an existing strata.yaml at the schema when its first line does not. */
  private static String modelineHint(Path file) {
    try {
      if (!Files.exists(file)
          || Files.readString(file, StandardCharsets.UTF_8).startsWith(SpecTemplate.MODELINE)) {
        return "";
      }
    } catch (IOException e) {
      return "";
    }
    return "; to have editors use it, make this the first line of "
        + file.getFileName()
        + ": "
        + SpecTemplate.MODELINE;
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write " + file + ": " + e.getMessage(), "check the directory's permissions");
    }
  }
}
