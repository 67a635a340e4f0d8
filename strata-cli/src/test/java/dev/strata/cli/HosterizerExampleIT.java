package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * examples/hosterizer end to end, as its README runs it: its own strata.yaml (ports made free),
 * migrations up, down and up again, the tenancy audit clean, sample data, and the dynamic proof.
 */
final class HosterizerExampleIT {
  private static final Path EXAMPLE = Path.of("../examples/hosterizer");

  private Path project;

  @BeforeEach
  void copyExample() throws IOException {
    project = Files.createTempDirectory("strata-hosterizer-");
    Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path f : files.toList()) {
        Files.copy(
            f,
            project.resolve(EXAMPLE.relativize(f).toString()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path yaml = project.resolve("strata.yaml");
    String text = Files.readString(yaml);
    assertThat(text).contains("\npostgres:\n");
    Files.writeString(
        yaml,
        text.replace("\npostgres:\n", "\npostgres:\n  port: 0\n  memory: 256mb\n")
            + "pooler:\n  port: 0\nredis:\n  port: 0\n"
            + TestProjects.MONITORING_OFF);
  }

  @AfterEach
  void destroy() {
    Cli.run(project, "destroy", "--yes");
    StackFiles.deleteTree(project);
  }

  @Test
  void migrations_tenancy_audit_and_isolation_proof_all_pass() {
    ok("up");
    assertThat(ok("migrate", "up").out())
        .contains("11 migrations applied; the database is at version 11");
    assertThat(ok("migrate", "down", "--all").out()).contains("11 migrations undone");
    ok("migrate", "up");

    // The seed keys ecommerce_integrations by an optional site_id: a notice, not a failure.
    assertThat(ok("tenancy", "verify").out())
        .contains("NOTICE", "public.ecommerce_integrations", "the parent key site_id allows NULL")
        .contains("tenant isolation verified: 1 notice, no problem");
    Cli plan = ok("tenancy", "plan");
    assertThat(plan.out() + plan.err())
        .as("the committed RLS migrations already cover every table")
        .doesNotContain("wrote");

    // On the empty database the proof makes its own tenants and rows.
    Cli empty = ok("tenancy", "test", "--fuzz", "300");
    assertThat(empty.out())
        .contains(", 0 leaks, 0 unexpected errors")
        .contains("tables: customers, sites, cost_records, deployments, ecommerce_integrations")
        .containsPattern("public\\.deployments +select A's rows +tenant B +0 rows +0 rows +ok")
        .contains("tenant isolation holds");

    ok("psql", "--", "-q", "-v", "ON_ERROR_STOP=1", "-f", "sample-data.sql");
    Cli test = ok("tenancy", "test", "--fuzz", "300");
    assertThat(test.out())
        .contains(", 0 leaks, 0 unexpected errors")
        .contains("tenant isolation holds");
    // The app role cannot make itself the administrator with the seed's old setting.
    Cli claim =
        ok(
            "psql",
            "--as",
            "app",
            "--",
            "-Atc",
            "select set_config('app.current_user_role', 'administrator', false),"
                + " (select count(*) from customers)");
    assertThat(claim.out().strip()).isEqualTo("administrator|0");
  }

  private Cli ok(String... args) {
    Cli run = Cli.run(project, args);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }
}
