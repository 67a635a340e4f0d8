package dev.strata.ops.postgres;

import dev.strata.core.StrataException;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extensions installed for one PostgreSQL installation: an extension is there when its control
 * file is in the installation's share folder, which is what CREATE EXTENSION reads.
 */
public final class Extensions {
  /** Debian packages whose name does not follow {@code postgresql-N-<extension>}. */
  private static final Map<String, String> PACKAGES =
      Map.of(
          "postgis", "postgis-3",
          "vector", "pgvector",
          "pg_partman", "partman",
          "pg_repack", "repack",
          "pg_cron", "cron",
          "timescaledb", "timescaledb");

  private final Path binDir;

  public Extensions(Path binDir) {
    this.binDir = binDir;
  }

  /**
   * Installs with apt (as {@code strata up} installs the servers) the Debian package of each listed
   * extension that is missing and has one by Debian's name ({@code postgresql-15-partman} for
   * pg_partman); an extension without such a package is left to {@link #requireInstalled}, which
   * says how to find it.
   *
   * @throws StrataException when a package is needed and Strata does not run as root (with the
   *     command to run), or apt fails
   */
  public void installMissing(List<String> extensions) {
    Path dir = shareDir().resolve("extension");
    List<String> missing =
        extensions.stream().filter(e -> !Files.exists(dir.resolve(e + ".control"))).toList();
    if (missing.isEmpty()) {
      return;
    }
    String major = major();
    List<String> packages =
        missing.stream()
            .map(e -> debianPackage(major, e))
            .distinct()
            .filter(pkg -> Exec.of("apt-cache", "show", pkg).run().ok())
            .toList();
    if (!packages.isEmpty()) {
      Binaries.requirePackages(
          packages, "the extension " + String.join(", ", missing) + " (postgres.extensions)", true);
    }
  }

  /** The Debian package that provides {@code extension} for PostgreSQL {@code major}. */
  static String debianPackage(String major, String extension) {
    return "postgresql-"
        + major
        + "-"
        + PACKAGES.getOrDefault(extension, extension.replace('_', '-').replaceFirst("^pg-", ""));
  }

  /**
   * @throws StrataException naming the first missing extension and the Debian package that provides
   *     it (or, when there is none by that name, how to find it)
   */
  public void requireInstalled(List<String> extensions) {
    Path dir = shareDir().resolve("extension");
    for (String ext : extensions) {
      if (!Files.exists(dir.resolve(ext + ".control"))) {
        throw StrataException.environment(
            "the extension "
                + ext
                + " in postgres.extensions is not installed for PostgreSQL "
                + major()
                + " (there is no "
                + dir.resolve(ext + ".control")
                + ")",
            fix(ext));
      }
    }
  }

  private String fix(String ext) {
    String pkg = debianPackage(major(), ext);
    boolean known = Exec.of("apt-cache", "show", pkg).run().ok();
    return known
        ? "install the Debian package that provides it (apt-get install -y "
            + pkg
            + "), or remove "
            + ext
            + " from postgres.extensions"
        : "remove "
            + ext
            + " from postgres.extensions, or install the package that provides "
            + ext
            + ".control (no Debian package is named "
            + pkg
            + "; `apt-file search "
            + ext
            + ".control` finds it)";
  }

  /** pg_config's answer per bin folder: it is fixed at build time, and a test JVM asks often. */
  private static final Map<Path, Path> SHARE_DIRS = new ConcurrentHashMap<>();

  private Path shareDir() {
    Path known = SHARE_DIRS.get(binDir);
    if (known != null) {
      return known;
    }
    Exec.Result r = Exec.of(binDir.resolve("pg_config").toString(), "--sharedir").run();
    if (!r.ok()) {
      return Path.of("/usr/share/postgresql", major());
    }
    Path dir = Path.of(r.output().trim());
    SHARE_DIRS.put(binDir, dir);
    return dir;
  }

  private String major() {
    String version = Exec.of(binDir.resolve("postgres").toString(), "-V").run().output().trim();
    return version.replaceAll(".*\\(PostgreSQL\\) ", "").split("[.\\s]")[0];
  }
}
