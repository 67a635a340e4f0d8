package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Where migration files are: a folder ({@code db/migrations}, {@code filesystem:db/migrations}) or
 * a classpath package ({@code classpath:db/migrations}, in a folder or a jar).
 */
public abstract sealed class MigrationLocation
    permits MigrationLocation.Folder, MigrationLocation.Classpath {

  /**
   * Parses {@code location}: {@code classpath:PATH}, {@code filesystem:PATH}, or a plain folder
   * path.
   */
  public static MigrationLocation of(String location) {
    if (location.startsWith("classpath:")) {
      return new Classpath(location.substring("classpath:".length()));
    }
    if (location.startsWith("filesystem:")) {
      return new Folder(Path.of(location.substring("filesystem:".length())));
    }
    return new Folder(Path.of(location));
  }

  /** The folder {@code dir}. */
  public static MigrationLocation folder(Path dir) {
    return new Folder(dir);
  }

  /**
   * Every versioned migration, ordered by version.
   *
   * @throws StrataException when the location does not exist or its files do not pair up
   */
  public List<Migration> load() {
    return read().migrations();
  }

  /**
   * The migrations and the format their names say (golang-migrate, Flyway or Prisma).
   *
   * @throws StrataException when the location does not exist, a file matches no naming rule, or the
   *     files do not pair up
   */
  public abstract MigrationFolder read();

  /** The location as the user wrote it, for messages. */
  @Override
  public abstract String toString();

  static final class Folder extends MigrationLocation {
    private final Path dir;

    Folder(Path dir) {
      this.dir = dir;
    }

    @Override
    public MigrationFolder read() {
      if (!Files.isDirectory(dir)) {
        throw StrataException.badInput(
            "no migrations folder at " + dir.toAbsolutePath(),
            "create it with `strata migrate create NAME`, or set migrations.dir in strata.yaml");
      }
      List<String> names = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.toList()) {
          String name = p.getFileName().toString();
          if (Files.isDirectory(p)) {
            // One level down: Prisma keeps each migration in a folder of its own.
            try (Stream<Path> inner = Files.list(p)) {
              inner.forEach(f -> names.add(name + "/" + f.getFileName()));
            }
          } else {
            names.add(name);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
      return MigrationFiles.read(names, this::read, dir.toString());
    }

    private byte[] read(String name) {
      try {
        return Files.readAllBytes(dir.resolve(name));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + dir.resolve(name), e);
      }
    }

    @Override
    public String toString() {
      return dir.toString();
    }
  }

  static final class Classpath extends MigrationLocation {
    private final String path;

    Classpath(String path) {
      this.path = path.replaceAll("^/+|/+$", "");
    }

    @Override
    public MigrationFolder read() {
      Map<String, URL> files = new LinkedHashMap<>();
      try {
        Enumeration<URL> roots = loader().getResources(path);
        while (roots.hasMoreElements()) {
          list(roots.nextElement(), files);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list classpath:" + path, e);
      }
      if (files.isEmpty()) {
        throw StrataException.badInput(
            "no migration files on the classpath at " + this,
            "put the .up.sql files in src/main/resources/" + path + " (or check the location)");
      }
      return MigrationFiles.read(
          new ArrayList<>(files.keySet()), n -> read(files.get(n)), "" + this);
    }

    private void list(URL root, Map<String, URL> files) throws IOException {
      if (root.getProtocol().equals("file")) {
        Path dir;
        try {
          dir = Path.of(root.toURI());
        } catch (URISyntaxException e) {
          throw new IOException(e);
        }
        try (Stream<Path> entries = Files.list(dir)) {
          for (Path p : entries.toList()) {
            if (Files.isDirectory(p)) {
              try (Stream<Path> inner = Files.list(p)) {
                for (Path f : inner.toList()) {
                  files.putIfAbsent(p.getFileName() + "/" + f.getFileName(), f.toUri().toURL());
                }
              }
            } else {
              files.putIfAbsent(p.getFileName().toString(), p.toUri().toURL());
            }
          }
        }
      } else if (root.getProtocol().equals("jar")) {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          String prefix = path + "/";
          for (JarEntry entry : jar.stream().toList()) {
            String name = entry.getName();
            String rest = name.startsWith(prefix) ? name.substring(prefix.length()) : "";
            if (!entry.isDirectory()
                && !rest.isEmpty()
                && rest.indexOf('/') == rest.lastIndexOf('/')) {
              URL file = URI.create("jar:" + connection.getJarFileURL() + "!/" + name).toURL();
              files.putIfAbsent(name.substring(prefix.length()), file);
            }
          }
        }
      }
    }

    private static byte[] read(URL url) {
      try (InputStream in = url.openStream()) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + url, e);
      }
    }

    private static ClassLoader loader() {
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      return context != null ? context : MigrationLocation.class.getClassLoader();
    }

    @Override
    public String toString() {
      return "classpath:" + path;
    }
  }
}
