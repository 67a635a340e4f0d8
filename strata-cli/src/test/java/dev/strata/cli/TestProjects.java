package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.SpecLoader;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.stack.Stack;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Project folders for tests that make (and break) their own stack, one per test. */
final class TestProjects {
  /** Monitoring off: a CLI test that does not test it must not start five more processes. */
  static final String MONITORING_OFF = "monitoring:\n  enabled: false\n";

  /** Every port free, PostgreSQL sized small, monitoring off (a test of it turns it on). */
  static final String FREE_PORTS =
      "postgres:\n  port: 0\n  memory: 256mb\npooler:\n  port: 0\nredis:\n  port: 0\n"
          + MONITORING_OFF;

  private TestProjects() {}

  /** A fresh folder the servers' OS user can reach. */
  static Path create(String name) throws IOException {
    Path project = Files.createTempDirectory("strata-" + name + "-");
    Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-xr-x"));
    return project;
  }

  /** {@code strata destroy --yes}, checking that no server of the stack outlives it. */
  static void destroy(Path project) {
    if (Files.isDirectory(project.resolve(".strata"))) {
      List<Long> pids = stack(project).status().stream().flatMap(s -> s.pid().stream()).toList();
      Cli destroy = Cli.run(project, "destroy", "--yes");
      assertThat(destroy.exitCode()).as(destroy.toString()).isZero();
      assertThat(pids).as("destroy leaves no server running").noneMatch(PidFile::running);
    }
    StackFiles.deleteTree(project);
  }

  static void write(Path project, String yaml) throws IOException {
    Files.writeString(project.resolve("strata.yaml"), yaml);
  }

  /** The project's stack as its strata.yaml describes it now. */
  static Stack stack(Path project) {
    return new Stack(
        project, SpecLoader.load(project.resolve("strata.yaml"), name -> null), line -> {});
  }
}
