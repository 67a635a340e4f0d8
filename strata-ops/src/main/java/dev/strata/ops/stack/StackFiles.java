package dev.strata.ops.stack;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.strata.core.StrataException;
import dev.strata.core.env.StateDir;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/** The state folder on disk. */
public final class StackFiles {
  /** A Unix socket path is at most 107 bytes; PostgreSQL adds "/.s.PGSQL.NNNNN". */
  private static final int MAX_SOCKET_DIR = 90;

  private StackFiles() {}

  /**
   * Creates {@code .strata/} (0711: the servers' user may pass, nobody else may list it).
   *
   * @throws StrataException when it cannot be created, e.g. a file stands in the way
   */
  static void createStateDir(StateDir dir) {
    Path root = dir.root();
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw StrataException.environment(
          "cannot use " + root + " as the state directory: a file of that name is in the way",
          "move or delete that file (it is not Strata's)");
    }
    try {
      if (!Files.isDirectory(root)) {
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
      }
      if (!Files.isWritable(root)) {
        throw new IOException("not writable");
      }
    } catch (FileAlreadyExistsException e) {
      throw StrataException.environment(
          "cannot create the state directory " + root + ": " + e.getFile() + " is a file",
          "move or delete that file");
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot create the state directory " + root + ": " + e.getMessage(),
          "run strata where you may write, or fix the permissions of " + root.getParent());
    }
  }

  /**
   * Where PostgreSQL's socket lives: in the state folder, or under /tmp when that path is too long.
   */
  static Path socketDir(StateDir dir) {
    Path inside = dir.root().resolve("run");
    if (inside.toString().length() <= MAX_SOCKET_DIR) {
      return inside;
    }
    return Path.of("/tmp", "strata-" + shortHash(dir.root().toString()));
  }

  /** Deletes a folder and everything in it; a no-op when it does not exist. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot delete " + root + ": " + e.getMessage(), "delete it by hand");
    }
  }

  private static String shortHash(String text) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)))
          .substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
