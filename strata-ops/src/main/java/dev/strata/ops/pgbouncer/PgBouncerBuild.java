package dev.strata.ops.pgbouncer;

import com.sun.security.auth.module.UnixSystem;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds PgBouncer from Debian 13's source package, once per machine, into a cache folder: {@code
 * apt-get source} through a private apt configuration (its own sources file with one {@code
 * deb-src} line for trixie, its own package lists; the machine's apt sources are left alone), then
 * {@code ./configure && make}. Only the Debian archive is used, never a download from elsewhere.
 *
 * <p>The result lives in {@code CACHE/SOURCE/VERSION/bin/pgbouncer}; a build goes to a scratch
 * folder first and is renamed into place, so a half-built binary is never found. A file lock
 * serialises builds of one cache between processes.
 */
public final class PgBouncerBuild {
  /** The Debian release whose source package is built. */
  public static final String SUITE = "trixie";

  static final String MIRROR = "http://deb.debian.org/debian";
  static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

  /** The Debian packages the build needs (compiler, headers, pkg-config, dpkg-source). */
  public static final List<String> BUILD_PACKAGES =
      List.of(
          "build-essential", "dpkg-dev", "pkgconf", "libevent-dev", "libssl-dev", "libc-ares-dev");

  private static final Duration APT_TIMEOUT = Duration.ofMinutes(12);

  private final Path cacheRoot;
  private final String sourcePackage;

  /**
   * A build of {@code sourcePackage} (normally {@code pgbouncer}) into {@code cacheRoot}.
   *
   * @param cacheRoot the machine's cache folder, see {@link #defaultCacheRoot()}
   */
  public PgBouncerBuild(Path cacheRoot, String sourcePackage) {
    this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
    this.sourcePackage = sourcePackage;
  }

  /**
   * The build Strata uses: {@code pgbouncer} (or the system property {@code
   * strata.pgbouncer.source}, which tests point at a package that does not exist) into {@link
   * #defaultCacheRoot()}.
   */
  public static PgBouncerBuild standard() {
    return new PgBouncerBuild(
        defaultCacheRoot(), System.getProperty("strata.pgbouncer.source", "pgbouncer"));
  }

  /**
   * The machine's cache folder: {@code STRATA_CACHE_DIR} (or the system property {@code
   * strata.cache.dir}) when set; {@code /var/cache/strata} for root (the servers' unprivileged user
   * must run what is in it, and root's home is closed to it); otherwise {@code
   * $XDG_CACHE_HOME/strata} or {@code ~/.cache/strata}.
   */
  public static Path defaultCacheRoot() {
    String configured =
        System.getProperty(
            "strata.cache.dir", System.getenv().getOrDefault("STRATA_CACHE_DIR", ""));
    if (!configured.isBlank()) {
      return Path.of(configured);
    }
    if (isRoot()) {
      return Path.of("/var/cache/strata");
    }
    String xdg = System.getenv().getOrDefault("XDG_CACHE_HOME", "");
    return xdg.isBlank()
        ? Path.of(System.getProperty("user.home"), ".cache", "strata")
        : Path.of(xdg, "strata");
  }

  /** The folder that holds this build's versions. */
  public Path folder() {
    return cacheRoot.resolve(sourcePackage);
  }

  /** The newest binary a previous build left in the cache. */
  public Optional<Path> cached() {
    if (!Files.isDirectory(folder())) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(folder())) {
      return versions
          .filter(v -> PgBouncerVersion.parse(v.getFileName().toString()).isPresent())
          .filter(v -> v.getFileName().toString().matches("[\\d.]+"))
          .map(v -> v.resolve("bin/pgbouncer"))
          .filter(Files::isExecutable)
          .max(
              Comparator.comparing(
                  b ->
                      PgBouncerVersion.parse(b.getParent().getParent().getFileName().toString())
                          .orElseThrow()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The cached binary, building it first when there is none.
   *
   * @param progress receives one line before a build starts and one when it is done
   * @throws Failure naming what is missing or which step failed, and the fix
   */
  public Path binary(Consumer<String> progress) {
    Optional<Path> cached = cached();
    if (cached.isPresent()) {
      return cached.get();
    }
    // A file lock keeps other processes out; it is held per JVM, so threads queue here first.
    synchronized (PgBouncerBuild.class) {
      return lockedBinary(progress);
    }
  }

  private Path lockedBinary(Consumer<String> progress) {
    createOpenDirectories(folder());
    Optional<Path> cached;
    try (FileChannel channel =
            FileChannel.open(
                folder().resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      // Another process may have built it while this one waited for the lock.
      cached = cached();
      return cached.isPresent() ? cached.get() : build(progress);
    } catch (IOException e) {
      throw new Failure(
          "cannot lock " + folder().resolve(".lock") + ": " + e.getMessage(),
          "check that " + cacheRoot + " is writable, or set STRATA_CACHE_DIR to a folder that is");
    }
  }

  private Path build(Consumer<String> progress) {
    long start = System.nanoTime();
    progress.accept(
        "building PgBouncer from Debian 13's source package ("
            + sourcePackage
            + ", "
            + SUITE
            + ") into "
            + folder()
            + ": once per machine (about 20 s on an idle 2-core machine)");
    requireBuildPackages();
    Path scratch = folder().resolve("build-" + ProcessHandle.current().pid());
    Path log = folder().resolve("build.log");
    try {
      deleteTree(scratch);
      Files.createDirectories(scratch);
      Files.deleteIfExists(log);
      fetchSource(scratch, log);
      Path source = extractedSource(scratch);
      PgBouncerVersion version =
          PgBouncerVersion.parse(source.getFileName().toString())
              .orElseThrow(
                  () ->
                      new Failure(
                          "apt-get source left " + source + ", which names no version", "", log));
      step(
          log,
          source,
          "./configure",
          List.of("./configure", "--prefix=" + folder().resolve(version.text())));
      step(log, source, "make", List.of("make", "-j" + Runtime.getRuntime().availableProcessors()));
      Path built = install(source.resolve("pgbouncer"), version);
      progress.accept(
          String.format(
              "built PgBouncer %s in %.0f s: %s",
              version, (System.nanoTime() - start) / 1e9, built));
      return built;
    } catch (IOException e) {
      throw new Failure(
          "cannot write the build folder " + scratch + ": " + e.getMessage(),
          "check that " + cacheRoot + " is writable, or set STRATA_CACHE_DIR to a folder that is");
    } finally {
      deleteTree(scratch);
    }
  }

  /** Installs the missing build packages when root; otherwise says which they are. */
  private void requireBuildPackages() {
    List<String> missing = BUILD_PACKAGES.stream().filter(p -> !installed(p)).toList();
    if (missing.isEmpty()) {
      return;
    }
    String install = "apt-get install -y " + String.join(" ", missing);
    if (!isRoot()) {
      throw new Failure(
          "the build needs the Debian packages " + String.join(", ", missing) + ", not installed",
          "run: sudo " + install);
    }
    Exec.Result r = aptInstall(missing);
    if (!r.ok()) {
      Exec.of("apt-get", "-o", "DPkg::Lock::Timeout=600", "update", "-qq")
          .timeout(APT_TIMEOUT)
          .run();
      r = aptInstall(missing);
    }
    if (!r.ok()) {
      throw new Failure(
          "the build needs the Debian packages "
              + String.join(", ", missing)
              + " and `"
              + install
              + "` failed:\n"
              + Logs.indent(Logs.lastLines(r.output(), 6)),
          "run `" + install + "` yourself and read its message");
    }
  }

  private static Exec.Result aptInstall(List<String> packages) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "apt-get",
                "-o",
                "DPkg::Lock::Timeout=600",
                "install",
                "-y",
                "-qq",
                "--no-install-recommends"));
    command.addAll(packages);
    return Exec.of(command).env("DEBIAN_FRONTEND", "noninteractive").timeout(APT_TIMEOUT).run();
  }

  private static boolean installed(String debianPackage) {
    Exec.Result r = Exec.of("dpkg-query", "-W", "-f=${Status}", debianPackage).run();
    return r.ok() && r.output().contains("install ok installed");
  }

  /** {@code apt-get update} and {@code apt-get source} through the private apt configuration. */
  private void fetchSource(Path scratch, Path log) throws IOException {
    Path apt = cacheRoot.resolve("apt");
    Files.createDirectories(apt.resolve("lists/partial"));
    Files.createDirectories(apt.resolve("sources.list.d"));
    Files.createDirectories(apt.resolve("cache/archives/partial"));
    Files.writeString(
        apt.resolve("sources.list"),
        "# Written by Strata: Debian 13's source packages, for building PgBouncer >= 1.21.\n"
            + "deb-src [signed-by="
            + KEYRING
            + "] "
            + MIRROR
            + " "
            + SUITE
            + " main\n");
    List<String> options =
        new ArrayList<>(
            List.of(
                "-o", "Dir::Etc::SourceList=" + apt.resolve("sources.list"),
                "-o", "Dir::Etc::SourceParts=" + apt.resolve("sources.list.d"),
                "-o", "Dir::State::Lists=" + apt.resolve("lists"),
                "-o", "Dir::Cache=" + apt.resolve("cache")));
    if (isRoot()) {
      // The scratch folder is root's; apt's sandbox user could not write the download there.
      options.addAll(List.of("-o", "APT::Sandbox::User=root"));
    }
    List<String> update = new ArrayList<>(List.of("apt-get", "-q"));
    update.addAll(options);
    update.add("update");
    step(log, scratch, "apt-get update (Debian 13's source index)", update);
    List<String> source = new ArrayList<>(List.of("apt-get", "-q"));
    source.addAll(options);
    source.addAll(List.of("source", "--only-source", sourcePackage));
    step(log, scratch, "apt-get source " + sourcePackage, source);
  }

  private static Path extractedSource(Path scratch) throws IOException {
    try (Stream<Path> entries = Files.list(scratch)) {
      return entries
          .filter(Files::isDirectory)
          .filter(d -> Files.isExecutable(d.resolve("configure")))
          .findFirst()
          .orElseThrow(
              () ->
                  new Failure(
                      "apt-get source unpacked no source tree with a configure script in "
                          + scratch,
                      "",
                      null));
    }
  }

  /** Runs one build step, appending its output to the build log; a failure names the step. */
  private void step(Path log, Path dir, String what, List<String> command) {
    Exec.Result r = Exec.of(command).workDir(dir).timeout(APT_TIMEOUT).run();
    try {
      Files.writeString(
          log,
          "$ " + String.join(" ", command) + "\n" + r.output() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // The log only helps diagnose; the step's own output is in the failure below.
    }
    if (!r.ok()) {
      throw new Failure(what + " failed:\n" + Logs.indent(Logs.lastLines(r.output(), 6)), "", log);
    }
  }

  /** Moves the binary into {@code VERSION/bin} through a scratch name, so it appears whole. */
  private Path install(Path binary, PgBouncerVersion version) throws IOException {
    Path target = folder().resolve(version.text());
    Path staging = folder().resolve(version.text() + ".tmp");
    deleteTree(staging);
    createOpenDirectories(staging.resolve("bin"));
    Path copy = staging.resolve("bin/pgbouncer");
    Files.copy(binary, copy, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
    Exec.Result check = Exec.of(copy.toString(), "--version").run();
    if (!check.ok() || PgBouncerVersion.parse(check.output()).isEmpty()) {
      throw new Failure(
          "the built binary does not run:\n" + Logs.indent(Logs.lastLines(check.output(), 4)),
          "",
          null);
    }
    deleteTree(target);
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    return target.resolve("bin/pgbouncer");
  }

  /** Creates {@code dir} and its parents readable and searchable by everyone (rwxr-xr-x). */
  private static void createOpenDirectories(Path dir) {
    try {
      Path missing = dir;
      List<Path> create = new ArrayList<>();
      while (missing != null && !Files.exists(missing)) {
        create.add(0, missing);
        missing = missing.getParent();
      }
      for (Path p : create) {
        Files.createDirectory(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    } catch (IOException e) {
      throw new Failure(
          "cannot create " + dir + ": " + e.getMessage(),
          "check that its parent is writable, or set STRATA_CACHE_DIR to a folder that is",
          null);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean isRoot() {
    return new UnixSystem().getUid() == 0;
  }

  /** Why a build could not happen, and what would let it. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String fix;

    Failure(String message, String fix) {
      this(message, fix, null);
    }

    Failure(String message, String fix, Path log) {
      super(message + (log == null ? "" : "\n  (the whole output is in " + log + ")"));
      this.fix = fix;
    }

    /** What to do about it; may be empty when the message says it. */
    public String fix() {
      return fix;
    }
  }
}
