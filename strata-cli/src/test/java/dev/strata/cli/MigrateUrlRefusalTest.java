package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A URL `strata migrate --url` refuses says which parameter and why, in one line, then the fix. */
class MigrateUrlRefusalTest {
  @TempDir Path dir;

  @Test
  void pooler_parameters_are_refused_by_name_in_one_line() throws Exception {
    Files.createDirectory(dir.resolve("migrations"));
    for (String[] c :
        new String[][] {
          {"pgbouncer=true", "its parameter pgbouncer=true says it goes through PgBouncer"},
          {"prepareThreshold=0", "its parameter prepareThreshold=0 is the setting for PgBouncer's"}
        }) {
      Cli run =
          Cli.run(dir, "migrate", "up", "--url", "postgresql://u:secret@127.0.0.1:5999/db?" + c[0]);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.err().lines()).as(run.err()).hasSize(2);
      assertThat(run.err().lines().findFirst().orElseThrow()).contains(c[1]);
      assertThat(run.err()).contains("  fix: use the direct URL").doesNotContain("secret");
    }
  }
}
