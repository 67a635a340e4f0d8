package dev.strata.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.postgres.ClusterTemplate;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** New clusters come from the machine's template, and share nothing that must be their own. */
class ClusterTemplateIT {
  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String VERIFIER = "SCRAM-SHA-256$";

  @Test
  void two_stacks_copied_from_the_template_have_their_own_identifier_and_passwords()
      throws Exception {
    try (StrataStack a = StrataStack.start("tpl-a", "");
        StrataStack b = StrataStack.start("tpl-b", "")) {
      assertThat(ClusterTemplate.list(ClusterTemplate.cacheRoot())).isNotEmpty();
      assertThat(systemIdentifier(a)).isNotEqualTo(systemIdentifier(b));
      assertThat(a.env().pooled().password()).isNotEqualTo(b.env().pooled().password());
      assertThat(verifier(a)).isNotEqualTo(verifier(b));
    }
  }

  @Test
  void the_template_holds_no_password_verifier_while_a_stack_cluster_does() throws Exception {
    try (StrataStack stack = StrataStack.start("tpl-secret", "")) {
      Path template =
          ClusterTemplate.cacheRoot()
              .resolve(ClusterTemplate.list(ClusterTemplate.cacheRoot()).get(0));
      stack.stack().down(); // the shutdown checkpoint writes pg_authid to its file
      // The scan finds the verifiers where they are: it would find a leaked one in the template.
      assertThat(filesContaining(stack.home().resolve(".strata/postgres/data"), VERIFIER))
          .isNotEmpty();
      assertThat(filesContaining(template, VERIFIER)).isEmpty();
    }
  }

  @Test
  void stacks_building_the_template_at_once_leave_one_whole_template() throws Exception {
    Path root = Files.createTempDirectory("strata-cache-race-");
    Path work = Files.createTempDirectory("strata-tpl-race-");
    try {
      Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
      RunAs runAs = RunAs.forCurrentProcess("postgres");
      runAs.give(work);
      List<String> options = List.of("-U", runAs.user(), "-E", "UTF8", "--locale=C.UTF-8");
      ClusterTemplate template = new ClusterTemplate(root, BIN, runAs, options);

      CompletableFuture<Void> one =
          CompletableFuture.runAsync(
              () -> template.createCluster(work.resolve("one"), true).join());
      CompletableFuture<Void> two =
          CompletableFuture.runAsync(
              () -> template.createCluster(work.resolve("two"), true).join());
      CompletableFuture.allOf(one, two).join();

      assertThat(ClusterTemplate.list(root)).containsExactly(template.key());
      try (Stream<Path> entries = Files.list(root)) {
        assertThat(entries.map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.contains(".build-"));
      }
      template.createCluster(work.resolve("three"), true).join();
      assertThat(controlIdentifier(runAs, work.resolve("three")))
          .isNotEqualTo(controlIdentifier(runAs, root.resolve(template.key())))
          .isNotEmpty();
      // The copy starts: its control file and WAL agree after the identifier was changed.
      Exec.Result start =
          runAs
              .exec(
                  BIN.resolve("postgres").toString(),
                  "--single",
                  "-D",
                  work.resolve("three").toString(),
                  "postgres")
              .input("SELECT 1;\n")
              .run();
      assertThat(start.ok()).as(start.output()).isTrue();
    } finally {
      StackFiles.deleteTree(work);
      StackFiles.deleteTree(root);
    }
  }

  private static String controlIdentifier(RunAs runAs, Path dataDir) {
    return runAs
        .exec(BIN.resolve("pg_controldata").toString(), "-D", dataDir.toString())
        .run()
        .output()
        .lines()
        .filter(l -> l.startsWith("Database system identifier:"))
        .map(l -> l.replaceAll("\\D", ""))
        .findFirst()
        .orElse("");
  }

  private static long systemIdentifier(StrataStack stack) throws SQLException {
    try (Connection c = stack.connect(stack.env().direct());
        ResultSet rs =
            c.createStatement().executeQuery("SELECT system_identifier FROM pg_control_system()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String verifier(StrataStack stack) {
    String role = stack.env().pooled().user();
    return Exec.of(stack.stack().superuserPsql("postgres"))
        .input("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "';")
        .run()
        .output()
        .trim();
  }

  private static List<Path> filesContaining(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile).filter(p -> contains(p, needle)).toList();
    }
  }

  private static boolean contains(Path file, byte[] needle) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      outer:
      for (int i = 0; i + needle.length <= bytes.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (bytes[i + j] != needle[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
