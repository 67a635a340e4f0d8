package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code strata install} as a new user runs it: the link on PATH works from another folder, and the
 * project of docs/testing.md, built from the page's own files against the installed libraries,
 * passes its first {@code @StrataTest}. Maven writes only a private repository: its settings
 * (through {@code -Duser.home}) read the shared ~/.m2 as a file repository, so nothing is
 * downloaded that the machine already has and the shared repository is never written.
 */
final class InstallIT {
  private static final Path CHECKOUT = DocsExamplesIT.CHECKOUT;
  private static final Pattern TESTFILE =
      Pattern.compile("<!-- testfile: (\\S+) -->\\n```\\w*\\n(.*?)\\n```", Pattern.DOTALL);

  private Path tmp;

  @BeforeEach
  void folder() throws IOException {
    tmp = Files.createTempDirectory("strata-install-");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void clean() {
    StackFiles.deleteTree(tmp);
  }

  @Test
  void install_links_strata_and_a_new_project_passes_its_first_strata_test() throws IOException {
    Path shared = Path.of(System.getProperty("user.home"), ".m2", "repository");
    boolean sharedHadStrata = Files.exists(shared.resolve("dev/strata"));
    Path home = mavenHome(shared);
    Path repo = tmp.resolve("repo");
    Path prefix = tmp.resolve("prefix");

    Exec.Result install =
        Exec.of(
                CHECKOUT.resolve("strata").toString(),
                "install",
                "--prefix",
                prefix.toString(),
                "--maven-repo",
                repo.toString())
            .env("MAVEN_OPTS", "-Duser.home=" + home)
            .workDir(tmp)
            .timeout(Duration.ofMinutes(20))
            .run();
    assertThat(install.exitCode()).as(install.output()).isZero();
    assertThat(install.output())
        .contains("linked " + prefix.resolve("bin/strata") + " -> " + CHECKOUT.resolve("strata"))
        .contains("installed dev.strata:strata-* 0.1.0-SNAPSHOT into " + repo);
    assertThat(repo.resolve("dev/strata/strata-test/0.1.0-SNAPSHOT/strata-test-0.1.0-SNAPSHOT.jar"))
        .exists();
    assertThat(repo.resolve("dev/strata/strata-parent/0.1.0-SNAPSHOT")).exists();
    assertThat(Files.exists(shared.resolve("dev/strata")))
        .as("the shared ~/.m2 is not written")
        .isEqualTo(sharedHadStrata);

    // From another folder, with a PATH that has java but no Maven: the built CLI runs as it is.
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Path noMaven = Files.createDirectory(tmp.resolve("no-maven-bin"));
    for (String tool :
        new String[] {"java", "bash", "dirname", "readlink", "find", "cksum", "cut", "rm"}) {
      Exec.Result where = Exec.of("bash", "-c", "command -v " + tool).run();
      assertThat(where.ok()).as(tool).isTrue();
      Files.createSymbolicLink(noMaven.resolve(tool), Path.of(where.output().strip()).toRealPath());
    }
    assertThat(noMaven.resolve("mvn")).doesNotExist();
    Exec.Result version =
        Exec.of(prefix.resolve("bin/strata").toString(), "--version")
            .env("PATH", noMaven.toString())
            .workDir(elsewhere)
            .run();
    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output().strip()).isEqualTo("strata 0.1.0-SNAPSHOT");

    Path project = Files.createDirectory(tmp.resolve("shop"));
    Map<String, String> files = testFiles(CHECKOUT.resolve("docs/testing.md"));
    assertThat(files).containsKeys("pom.xml", "src/test/java/shop/FirstStackTest.java");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path file = project.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue() + "\n", StandardCharsets.UTF_8);
    }
    Exec.Result test =
        Exec.of("mvn", "-B", "-Dmaven.repo.local=" + repo, "test")
            .env("MAVEN_OPTS", "-Duser.home=" + home)
            .workDir(project)
            .timeout(Duration.ofMinutes(15))
            .run();
    assertThat(test.exitCode()).as(test.output()).isZero();
    assertThat(test.output())
        .contains("Running shop.FirstStackTest")
        .contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
  }

  /**
   * A Maven user home whose settings put the shared local repository first, read-only, as a file
   * repository (Maven Central stays behind it for what it lacks).
   */
  private Path mavenHome(Path shared) throws IOException {
    Path home = tmp.resolve("maven-home");
    Files.createDirectories(home.resolve(".m2"));
    String repoXml =
        "<id>shared-m2</id><url>"
            + shared.toUri()
            + "</url>"
            + "<releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots>";
    Files.writeString(
        home.resolve(".m2/settings.xml"),
        "<settings><profiles><profile><id>shared</id>"
            + "<repositories><repository>"
            + repoXml
            + "</repository></repositories>"
            + "<pluginRepositories><pluginRepository>"
            + repoXml
            + "</pluginRepository></pluginRepositories>"
            + "</profile></profiles><activeProfiles><activeProfile>shared</activeProfile></activeProfiles></settings>\n",
        StandardCharsets.UTF_8);
    return home;
  }

  /** The files a page shows after {@code <!-- testfile: PATH -->}, by path. */
  static Map<String, String> testFiles(Path page) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    Matcher m = TESTFILE.matcher(Files.readString(page, StandardCharsets.UTF_8));
    while (m.find()) {
      files.put(m.group(1), m.group(2));
    }
    return files;
  }
}
