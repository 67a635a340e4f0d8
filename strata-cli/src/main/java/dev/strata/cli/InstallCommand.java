package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "install",
    description = {
      "Puts a strata command on PATH (a link to this checkout's launcher, in PREFIX/bin) and",
      "installs the libraries (strata-core, -jdbc, -redis, -spring, -test, -ops) into the local Maven",
      "repository, so that another project can depend on them. Run it from the checkout:",
      "./strata install."
    })
final class InstallCommand implements Callable<Integer> {
  /** Set by the launcher script: the checkout it runs from. */
  static final String HOME_VARIABLE = "STRATA_HOME";

  static final String LIBRARIES = "strata-core,strata-jdbc,strata-redis,strata-spring,strata-test";

  private static final Pattern VERSION = Pattern.compile("<version>([^<]+)</version>");

  @ParentCommand StrataCommand root;

  @Option(
      names = "--prefix",
      paramLabel = "DIR",
      description = "Where the link goes: DIR/bin/strata (default: ~/.local).")
  Path prefix;

  @Option(names = "--no-libraries", description = "Only the link: do not run Maven.")
  boolean noLibraries;

  @Option(
      names = "--maven-repo",
      paramLabel = "DIR",
      description = "Install the libraries into this local Maven repository instead of ~/.m2.")
  Path mavenRepo;

  @Override
  public Integer call() {
    Path home = checkout();
    Path bin =
        (prefix == null
                ? Path.of(System.getProperty("user.home"), ".local")
                : root.workDir().resolve(prefix))
            .toAbsolutePath()
            .normalize()
            .resolve("bin");
    Path link = bin.resolve("strata");
    link(link, home.resolve("strata"));
    root.out().println("linked " + link + " -> " + home.resolve("strata"));
    if (!onPath(bin)) {
      root.out()
          .println(
              bin
                  + " is not on PATH; add it, e.g. in ~/.bashrc: export PATH=\""
                  + bin
                  + ":$PATH\"");
    }
    root.out().flush();
    if (!noLibraries) {
      String version = version(home);
      installLibraries(home);
      root.out()
          .println(
              "installed dev.strata:strata-* "
                  + version
                  + " into "
                  + (mavenRepo == null ? "~/.m2/repository" : mavenRepo.toAbsolutePath())
                  + "; depend on them as docs/testing.md shows");
    }
    return 0;
  }

  private static Path checkout() {
    String home = System.getenv(HOME_VARIABLE);
    if (home == null || !Files.isRegularFile(Path.of(home, "strata"))) {
      throw StrataException.badInput(
          "strata install links to the launcher of a Strata checkout, and this run has none",
          "run ./strata install from the root of the Strata checkout");
    }
    return Path.of(home).toAbsolutePath().normalize();
  }

  private static void link(Path link, Path target) {
    try {
      Files.createDirectories(link.getParent());
      if (Files.isSymbolicLink(link)) {
        Files.delete(link);
      } else if (Files.exists(link)) {
        throw StrataException.badInput(
            link + " exists and is not a link (another strata?); it was left as it is",
            "remove it, or give another --prefix");
      }
      Files.createSymbolicLink(link, target);
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot create " + link + ": " + e.getMessage(),
          "give a --prefix you can write to (default: ~/.local)");
    }
  }

  private static boolean onPath(Path bin) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String entry : path.split(":")) {
      if (!entry.isEmpty() && Path.of(entry).toAbsolutePath().normalize().equals(bin)) {
        return true;
      }
    }
    return false;
  }

  /** The project's version, from the checkout's root pom.xml (its first version element). */
  static String version(Path home) {
    try {
      Matcher m =
          VERSION.matcher(Files.readString(home.resolve("pom.xml"), StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : "(unknown version)";
    } catch (IOException e) {
      return "(unknown version)";
    }
  }

  private void installLibraries(Path home) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "mvn",
                "-B",
                "-q",
                "-DskipTests",
                "-Dspotless.check.skip=true",
                // The libraries and what they need (the parent, strata-ops): not the CLI's shaded
                // jar nor the integration tests, which no other project depends on.
                "-pl",
                LIBRARIES,
                "-am",
                "install"));
    if (mavenRepo != null) {
      command.add("-Dmaven.repo.local=" + root.workDir().resolve(mavenRepo).toAbsolutePath());
    }
    root.out()
        .println("installing the libraries: " + String.join(" ", command) + " (in " + home + ")");
    root.out().flush();
    Exec.Result r;
    try {
      r = Exec.of(command).workDir(home).timeout(java.time.Duration.ofMinutes(30)).run();
    } catch (RuntimeException e) {
      throw StrataException.environment(
          "cannot run mvn: " + e.getMessage(),
          "install Maven (sudo apt-get install -y maven), or run with --no-libraries");
    }
    if (!r.ok()) {
      throw StrataException.failed(
          "installing the libraries failed: " + r.describeFailure(),
          "fix the build error above, then run ./strata install again (the link is in place)",
          null);
    }
  }
}
