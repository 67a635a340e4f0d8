package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.stack.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A project as the CLI sees it: its strata.yaml and the stack beside it. */
record Workspace(Path specFile, StrataSpec spec) {

  /**
   * Reads {@code specFile}; a missing file means every default, unless the user named it.
   *
   * @throws StrataException when the named file does not exist or strata.yaml is not valid
   */
  static Workspace open(Path specFile, boolean named) {
    Path file = specFile.toAbsolutePath().normalize();
    if (named && !Files.isRegularFile(file)) {
      throw StrataException.badInput(
          "no such file: " + file, "check the path given to -f, or run `strata init` to write one");
    }
    return new Workspace(file, SpecLoader.load(file, System::getenv));
  }

  Path dir() {
    return specFile.getParent();
  }

  /** The database named by a {@code -d} option, or the first in postgres.databases. */
  String database(String named) {
    return named == null ? spec.postgres().primaryDatabase() : named;
  }

  Stack stack(Consumer<String> progress) {
    return new Stack(dir(), spec, progress);
  }

  Stack stack() {
    return stack(line -> {});
  }
}
