package dev.strata.ops.process;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Rendered configuration files, written only when their content changes. */
public final class ConfigFiles {
  private ConfigFiles() {}

  /**
   * Writes {@code content} to {@code file} unless it already holds exactly that.
   *
   * @param mode permissions such as {@code rw-------}
   * @return whether the file changed
   */
  public static boolean write(Path file, String content, String mode) {
    try {
      if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
        return false;
      }
      Files.createDirectories(file.getParent());
      if (!Files.exists(file)) {
        Files.createFile(
            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
      }
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return true;
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write " + file + ": " + e.getMessage(),
          "check that the state directory is writable");
    }
  }

  /** Creates {@code dir} and its parents when missing. */
  public static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot create " + dir + ": " + e.getMessage(),
          "check that the state directory is writable");
    }
  }
}
