package dev.strata.core.secret;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.StrataException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generated passwords of a stack, kept only in one file readable by its owner alone (mode
 * 0600). A password is generated the first time it is asked for and never changes after.
 */
public final class Secrets {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int LENGTH = 40;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private final Map<String, String> values;

  private Secrets(Path file, Map<String, String> values) {
    this.file = file;
    this.values = values;
  }

  /**
   * Opens the secrets file, or an empty store when it does not exist yet.
   *
   * @throws StrataException if the file exists but cannot be read, or others may read it
   */
  public static Secrets open(Path file) {
    if (!Files.exists(file)) {
      return new Secrets(file, new TreeMap<>());
    }
    try {
      if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(file)).endsWith("------")) {
        throw StrataException.environment(
            file + " can be read by other users", "run: chmod 600 " + file);
      }
      return new Secrets(
          file,
          new TreeMap<>(
              JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {})));
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot read " + file + ": " + e.getMessage(),
          "restore the file from a backup, or run `strata destroy --yes` to start over");
    }
  }

  /** Whether a secret of that name exists. */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The secret {@code name}, generated and saved on first use. */
  public synchronized String get(String name) {
    String value = values.get(name);
    if (value == null) {
      value = generate();
      values.put(name, value);
      save();
    }
    return value;
  }

  /**
   * The secret {@code name}, without generating it.
   *
   * @throws StrataException if it does not exist (the stack was never brought up)
   */
  public String require(String name) {
    String value = values.get(name);
    if (value == null) {
      throw StrataException.environment(
          "no secret '" + name + "' in " + file,
          "run `strata up` first: it generates the passwords");
    }
    return value;
  }

  /** A random password of 40 letters and digits (≈238 bits). */
  public static String generate() {
    StringBuilder sb = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  private void save() {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), values);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write " + file + ": " + e.getMessage(),
          "check that the state directory is writable");
    }
  }

  @Override
  public String toString() {
    return "Secrets[" + file + ", " + values.size() + " entries, values=<masked>]";
  }
}
