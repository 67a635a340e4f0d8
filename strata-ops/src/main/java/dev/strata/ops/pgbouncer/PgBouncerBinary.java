package dev.strata.ops.pgbouncer;

import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PgBouncer a stack runs: the distro's when it keeps prepared statements in transaction mode
 * (1.21 and later), otherwise one built once per machine from Debian 13's source package (see
 * {@link PgBouncerBuild}). When the build cannot happen, the distro's with a warning: then pgjdbc
 * must not prepare ({@code prepareThreshold=0}) and the ini has no {@code max_prepared_statements}.
 *
 * @param path the program
 * @param version what {@code path --version} says
 * @param warning why an older PgBouncer is used, when it is
 */
public record PgBouncerBinary(Path path, PgBouncerVersion version, Optional<String> warning) {
  /**
   * {@code max_prepared_statements}: the number of protocol-level prepared statements PgBouncer
   * keeps per client connection (PgBouncer's own default since 1.24).
   */
  public static final int MAX_PREPARED_STATEMENTS = 200;

  private static final Logger LOG = LoggerFactory.getLogger(PgBouncerBinary.class);

  /** Builds that failed in this JVM: not tried again for every stack a test run starts. */
  private static final Map<Path, String> FAILED = new ConcurrentHashMap<>();

  /**
   * The binary {@code strata up} runs, building it when needed.
   *
   * @param distro the {@code pgbouncer} on the PATH
   * @param progress receives the build's progress line and, on a fallback, the warning
   */
  public static PgBouncerBinary forUp(Path distro, Consumer<String> progress) {
    return choose(distro, PgBouncerBuild.standard(), progress, true);
  }

  /**
   * The program to run: {@link #forUp} when {@code upProgress} is given, else {@link #installed}.
   */
  public static Path pick(Path distro, Consumer<String> upProgress) {
    return (upProgress == null ? installed(distro) : forUp(distro, upProgress)).path();
  }

  /** The binary other commands use ({@code status}, {@code down}): never builds. */
  public static PgBouncerBinary installed(Path distro) {
    return choose(distro, PgBouncerBuild.standard(), line -> {}, false);
  }

  /**
   * The distro's binary when it is new enough, else the build's (made when {@code build} is true
   * and none is cached), else the distro's with a warning.
   */
  public static PgBouncerBinary choose(
      Path distro, PgBouncerBuild build, Consumer<String> progress, boolean mayBuild) {
    PgBouncerVersion distroVersion = versionOf(distro);
    if (distroVersion.keepsPreparedStatements()) {
      return new PgBouncerBinary(distro, distroVersion, Optional.empty());
    }
    Optional<Path> cached = build.cached();
    if (cached.isPresent()) {
      return new PgBouncerBinary(cached.get(), versionOf(cached.get()), Optional.empty());
    }
    if (!mayBuild) {
      return new PgBouncerBinary(distro, distroVersion, Optional.empty());
    }
    String failure = FAILED.get(build.folder());
    if (failure == null) {
      try {
        Path built = build.binary(progress);
        return new PgBouncerBinary(built, versionOf(built), Optional.empty());
      } catch (PgBouncerBuild.Failure e) {
        failure = e.getMessage() + (e.fix().isEmpty() ? "" : "\n  fix: " + e.fix());
        FAILED.put(build.folder(), failure);
      }
    }
    String warning = fallbackWarning(distroVersion, failure);
    LOG.warn(warning);
    progress.accept(warning);
    return new PgBouncerBinary(distro, distroVersion, Optional.of(warning));
  }

  /** Whether this PgBouncer keeps protocol-level prepared statements in transaction mode. */
  public boolean keepsPreparedStatements() {
    return version.keepsPreparedStatements();
  }

  /**
   * The pgbouncer.ini lines this binary needs in {@code [pgbouncer]}: {@code
   * max_prepared_statements} when it has the setting, nothing otherwise (1.18 refuses to start on a
   * key it does not know).
   */
  public String iniSettings() {
    return keepsPreparedStatements()
        ? "max_prepared_statements = " + MAX_PREPARED_STATEMENTS + "\n"
        : "";
  }

  /** The ini lines for the binary at {@code path}, from its {@code --version}. */
  public static String iniSettings(Path path) {
    return new PgBouncerBinary(path, versionOf(path), Optional.empty()).iniSettings();
  }

  /**
   * The command that starts PgBouncer as a daemon, with its open-file limit raised to the hard
   * limit first: a login shell's soft limit (often 1024) would refuse clients well before the
   * default {@code max_client_conn} of 1000, with "accept() failed: Too many open files".
   */
  public static String[] startCommand(Path binary, Path ini) {
    return new String[] {
      "sh",
      "-c",
      "ulimit -S -n \"$(ulimit -H -n)\" 2>/dev/null; exec \"$0\" -d -q \"$1\"",
      binary.toString(),
      ini.toString()
    };
  }

  /**
   * The program a running PgBouncer was started from ({@code expected} when the system does not
   * say), so that status reports the version that runs, not the one the next start would pick.
   */
  public static Path program(ProcessHandle process, Path expected) {
    return process.info().command().map(Path::of).orElse(expected);
  }

  /** Whether {@code process} runs the program {@code binary}. */
  public static boolean runs(ProcessHandle process, Path binary) {
    Path running = program(process, binary);
    try {
      return running.equals(binary) || java.nio.file.Files.isSameFile(running, binary);
    } catch (java.io.IOException e) {
      return true; // cannot tell: leave the running server alone
    }
  }

  static String fallbackWarning(PgBouncerVersion distroVersion, String failure) {
    return "warning: PgBouncer could not be built from Debian 13's source package: "
        + failure
        + "\n  Strata falls back to the distro's PgBouncer "
        + distroVersion
        + ", which keeps no prepared statement from one transaction to the next:"
        + " JDBC_DATABASE_URL carries prepareThreshold=0 (every statement is parsed and planned"
        + " on every call) and `pgbench -M prepared` through DATABASE_URL fails."
        + "\n  To get PgBouncer >= 1.21: fix the cause above and run `strata up` again, or install"
        + " pgbouncer from the PGDG apt repository (https://wiki.postgresql.org/wiki/Apt).";
  }

  /**
   * What each binary said, by path, size and modification time (a rebuilt or upgraded binary is
   * asked again): a stack asks two or three times per up, and a test JVM starts many stacks.
   */
  private static final Map<String, PgBouncerVersion> VERSIONS = new ConcurrentHashMap<>();

  /** The version {@code pgbouncer --version} prints; 0.0 when it prints none. */
  static PgBouncerVersion versionOf(Path binary) {
    String key;
    try {
      key =
          binary.toRealPath()
              + " "
              + Files.size(binary)
              + " "
              + Files.getLastModifiedTime(binary).toMillis();
    } catch (IOException e) {
      return ask(binary); // absent: nothing to remember
    }
    PgBouncerVersion known = VERSIONS.get(key);
    if (known != null) {
      return known;
    }
    PgBouncerVersion version = ask(binary);
    if (version.major() > 0) {
      VERSIONS.put(key, version);
    }
    return version;
  }

  private static PgBouncerVersion ask(Path binary) {
    Exec.Result r = Exec.of(binary.toString(), "--version").run();
    return PgBouncerVersion.parse(r.output()).orElse(new PgBouncerVersion(0, 0, 0, "unknown"));
  }
}
