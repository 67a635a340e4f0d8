package dev.strata.core.io;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A small {@code key=value} file ({@link Properties} syntax) that Strata keeps in {@code .strata/}:
 * read whole, written whole and atomically (a reader never sees half a file), with the permissions
 * given at creation.
 */
public final class PropertiesFile {
  private PropertiesFile() {}

  /**
   * Reads {@code file}; an empty map when it does not exist.
   *
   * @throws StrataException when it exists but cannot be read, naming {@code fix}
   */
  public static Map<String, String> read(Path file, String fix) {
    Map<String, String> values = new TreeMap<>();
    if (!Files.exists(file)) {
      return values;
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw StrataException.environment("cannot read " + file + ": " + e.getMessage(), fix);
    }
    props.stringPropertyNames().forEach(name -> values.put(name, props.getProperty(name)));
    return values;
  }

  /**
   * Replaces {@code file} with {@code values}, through a temporary file created with {@code
   * permissions} (e.g. {@code rw-------}) and renamed over it.
   */
  public static void write(
      Path file, Map<String, String> values, String comment, String permissions) {
    Properties props = new Properties();
    props.putAll(values);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        props.store(out, comment);
      }
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
}
