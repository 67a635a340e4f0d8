package dev.strata.ops.process;

import com.sun.security.auth.module.UnixSystem;
import dev.strata.core.StrataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the machine's server binaries. A missing Debian package is installed with apt when Strata
 * runs as root; otherwise the error gives the exact command to run.
 */
public final class Binaries {
  private static final Logger LOG = LoggerFactory.getLogger(Binaries.class);
  private static final Path POSTGRES_ROOT = Path.of("/usr/lib/postgresql");

  private Binaries() {}

  /** A program on the PATH, by name, with the Debian package that provides it. */
  public record Program(String name, String debianPackage) {}

  /**
   * The path of each program, installing missing packages (all in one apt run) when {@code install}
   * is set and Strata runs as root.
   *
   * @param install whether this command may install packages: only {@code strata up} does
   * @throws StrataException naming each missing program, its package and the install command
   */
  public static Map<String, Path> require(List<Program> programs, boolean install) {
    Map<String, Path> found = new LinkedHashMap<>();
    List<Program> missing = programs.stream().filter(p -> onPath(p.name()).isEmpty()).toList();
    if (!missing.isEmpty()) {
      List<String> packages = missing.stream().map(Program::debianPackage).distinct().toList();
      if (!install) {
        throw notInstalled(describe(missing), packages);
      }
      install(packages, describe(missing));
    }
    for (Program p : programs) {
      found.put(p.name(), onPath(p.name()).orElseThrow());
    }
    return found;
  }

  /**
   * Installs Debian packages that provide no program to look for (a Python module, say), when
   * {@code install} is set and Strata runs as root.
   *
   * @param what what is missing, for the message
   * @throws StrataException naming the packages and the install command
   */
  public static void requirePackages(List<String> packages, String what, boolean install) {
    if (!install) {
      throw notInstalled(what, packages);
    }
    install(packages, what);
  }

  /**
   * The PostgreSQL binary folder: {@code configured}; else the folder of the major version that
   * made the existing cluster ({@code clusterMajor}, from its PG_VERSION); else the newest {@code
   * /usr/lib/postgresql/N/bin}. With {@code install} (and root) a missing version is installed.
   *
   * @throws StrataException when the binaries are missing, or are of another major version than the
   *     cluster (which only pg_upgrade can move)
   */
  public static Path postgresBinDir(
      Optional<String> configured, Optional<Integer> clusterMajor, boolean install) {
    if (configured.isPresent()) {
      Path dir = Path.of(configured.get());
      if (!Files.isExecutable(dir.resolve("postgres"))) {
        throw StrataException.environment(
            "no PostgreSQL server in "
                + dir
                + " (postgres.bin_dir): "
                + dir.resolve("postgres")
                + " is missing",
            "install the Debian package postgresql-15 (apt-get install -y postgresql-15) and set"
                + " postgres.bin_dir to /usr/lib/postgresql/15/bin, or to auto");
      }
      clusterMajor.ifPresent(major -> requireSameMajor(dir, major));
      return dir;
    }
    if (clusterMajor.isPresent()) {
      int major = clusterMajor.get();
      Path dir = POSTGRES_ROOT.resolve(major + "/bin");
      if (!Files.isExecutable(dir.resolve("postgres"))) {
        List<String> packages = List.of("postgresql-" + major);
        String what =
            "PostgreSQL "
                + major
                + " (the existing cluster was made by it; newer binaries cannot run it without"
                + " pg_upgrade)";
        if (!install || !Exec.of("apt-cache", "show", packages.get(0)).run().ok()) {
          throw notInstalled(what, packages);
        }
        install(packages, what);
      }
      return dir;
    }
    Optional<Path> newest = newestPostgres();
    if (newest.isEmpty()) {
      List<String> packages = List.of("postgresql-15", "postgresql-contrib");
      if (!install) {
        throw notInstalled("PostgreSQL (initdb, pg_ctl, postgres)", packages);
      }
      install(packages, "PostgreSQL (initdb, pg_ctl, postgres)");
      newest = newestPostgres();
    }
    return newest.orElseThrow();
  }

  /** The major version of the cluster in {@code dataDir}, from its PG_VERSION file. */
  public static Optional<Integer> clusterMajor(Path dataDir) {
    Path file = dataDir.resolve("PG_VERSION");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      String text = Files.readString(file).trim();
      return text.matches("\\d+") ? Optional.of(Integer.valueOf(text)) : Optional.empty();
    } catch (java.io.IOException e) {
      throw StrataException.environment(
          "cannot read " + file + ": " + e.getMessage(), "check the permissions of " + dataDir);
    }
  }

  private static void requireSameMajor(Path binDir, int clusterMajor) {
    Exec.Result r = Exec.of(binDir.resolve("postgres").toString(), "-V").run();
    String version = r.output().replaceAll(".*\\(PostgreSQL\\) ", "").trim();
    String major = version.split("[.\\s]")[0];
    if (r.ok() && !major.equals(Integer.toString(clusterMajor))) {
      throw StrataException.environment(
          "postgres.bin_dir "
              + binDir
              + " is PostgreSQL "
              + version
              + ", but the cluster was made by PostgreSQL "
              + clusterMajor
              + ": a server of another major version cannot run it",
          "set postgres.bin_dir to /usr/lib/postgresql/"
              + clusterMajor
              + "/bin (or auto), or upgrade the cluster with pg_upgrade (docs/upgrading.md)");
    }
  }

  private static StrataException notInstalled(String what, List<String> packages) {
    return StrataException.environment(
        what + " is not installed (Debian package " + String.join(", ", packages) + ")",
        "run `strata up` as root (it installs it), or: sudo apt-get install -y "
            + String.join(" ", packages));
  }

  private static Optional<Path> newestPostgres() {
    if (!Files.isDirectory(POSTGRES_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(POSTGRES_ROOT)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+"))
          .filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
          .map(v -> v.resolve("bin"));
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Installs Debian packages, one install at a time in this JVM; another apt on the machine (a
   * second stack starting, an unattended upgrade) is waited for rather than failed on.
   */
  private static synchronized void install(List<String> packages, String what) {
    String command = "apt-get install -y " + String.join(" ", packages);
    if (new UnixSystem().getUid() != 0 || onPath("apt-get").isEmpty()) {
      throw StrataException.environment(
          what + " is not installed (Debian package " + String.join(", ", packages) + ")",
          "run: sudo " + command);
    }
    LOG.info("installing {} (apt-get install {})", what, String.join(" ", packages));
    Exec.Result result = apt(packages);
    if (!result.ok()) {
      Exec.of("apt-get", "-o", APT_LOCK_WAIT, "update", "-qq").timeout(Duration.ofMinutes(5)).run();
      result = apt(packages);
    }
    if (!result.ok()) {
      throw StrataException.environment(
          what
              + " is not installed and `"
              + command
              + "` failed:\n"
              + Logs.indent(Logs.lastLines(result.output(), 8)),
          "run `" + command + "` yourself and read its message");
    }
  }

  /** How long apt waits for another apt's lock (seconds) before it gives up. */
  private static final String APT_LOCK_WAIT = "DPkg::Lock::Timeout=600";

  private static Exec.Result apt(List<String> packages) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "apt-get", "-o", APT_LOCK_WAIT, "install", "-y", "-qq", "--no-install-recommends"));
    command.addAll(packages);
    return Exec.of(command)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .timeout(Duration.ofMinutes(20))
        .run();
  }

  private static String describe(List<Program> missing) {
    return String.join(", ", missing.stream().map(Program::name).toList());
  }
}
