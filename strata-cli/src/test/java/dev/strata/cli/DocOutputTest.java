package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The matcher DocsExamplesIT compares pages with: placeholders, `...` and a stale line. */
class DocOutputTest {
  private static final String DIR = "/tmp/doc-123";

  @Test
  void placeholders_stand_for_what_changes_between_runs() {
    assertThat(
            DocOutput.matches(
                List.of(
                    "postgres-1  PostgreSQL  primary  127.0.0.1:<port>  running  <version>  <pid>",
                    "applied 000001_t.up.sql (<n> ms)",
                    "backup: <dir>/.strata/backups/app-<time>-before-migrate.dump",
                    "DATABASE_URL='postgresql://app_app:<password>@127.0.0.1:<port>/app<...>'"),
                List.of(
                    "postgres-1  PostgreSQL  primary  127.0.0.1:45123    running  15.18    998   ",
                    "applied 000001_t.up.sql (3 ms)",
                    "backup: /tmp/doc-123/.strata/backups/app-20261202-141935-before-migrate.dump",
                    "DATABASE_URL='postgresql://app_app:Xy7_q@127.0.0.1:6432/app?sslmode=verify-full'"),
                DIR))
        .isTrue();
  }

  @Test
  void a_stale_line_fails() {
    List<String> actual =
        List.of(
            "applied 000010_tenant_indexes.up.sql (4 ms)",
            "10 migrations applied; the database is at version 10");
    assertThat(
            DocOutput.matches(
                List.of("applied <...>", "10 migrations applied; the database is at version 10"),
                actual,
                DIR))
        .isTrue();
    // The planted stale line: the count a page printed before a migration was added.
    List<String> stale =
        List.of("applied <...>", "9 migrations applied; the database is at version 9");
    assertThat(DocOutput.matches(stale, actual, DIR)).isFalse();
    assertThat(DocOutput.firstMissing(stale, actual, DIR)).isEqualTo(stale.get(1));
  }

  @Test
  void ellipsis_lines_match_any_number_of_lines_and_nothing_else_is_skipped() {
    List<String> actual = List.of("a", "b", "c", "d");
    assertThat(DocOutput.matches(List.of("a", "...", "d"), actual, DIR)).isTrue();
    assertThat(DocOutput.matches(List.of("a", "...", "b", "c", "d"), actual, DIR)).isTrue();
    assertThat(DocOutput.matches(List.of("...", "a", "b", "c", "d", "..."), actual, DIR)).isTrue();
    assertThat(DocOutput.matches(List.of("a", "d"), actual, DIR))
        .as("b and c are not shown")
        .isFalse();
    assertThat(DocOutput.matches(List.of("a", "b", "c"), actual, DIR)).as("d is printed").isFalse();
    assertThat(DocOutput.firstMissing(List.of("a", "b", "c"), actual, DIR))
        .contains("lines the page does not show");
  }

  @Test
  void literal_text_is_literal_and_placeholders_are_narrow() {
    assertThat(
            DocOutput.matches(List.of("cost (a+b) is $1.50"), List.of("cost (a+b) is $1.50"), DIR))
        .isTrue();
    assertThat(
            DocOutput.matches(List.of("cost (a+b) is $1.50"), List.of("cost (ab) is $1x50"), DIR))
        .isFalse();
    assertThat(DocOutput.matches(List.of("port <port>"), List.of("port 5432x"), DIR)).isFalse();
    assertThat(DocOutput.matches(List.of("<dir>/x"), List.of("/tmp/other/x"), DIR)).isFalse();
    assertThat(DocOutput.matches(List.of("a b"), List.of("ab"), DIR))
        .as("a space needs a space")
        .isFalse();
  }

  @Test
  void the_runner_splits_a_session_by_command_and_reports_the_stale_line(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path page = dir.resolve("page.md");
    java.nio.file.Files.writeString(
        page,
        "Text\n\n<!-- doctest: a.txt -->\n```text\nhello\n```\n\n<!-- doctest -->\n```console\n"
            + "$ cat a.txt\nhello\n$ true\n$ echo 9 migrations\n9 migrations\n```\n");
    DocPage doc = DocPage.read(page);
    assertThat(doc.steps()).hasSize(2).first().isInstanceOf(DocPage.WriteFile.class);
    List<DocPage.Command> commands = ((DocPage.Session) doc.steps().get(1)).commands();
    assertThat(commands)
        .extracting(DocPage.Command::text)
        .containsExactly("cat a.txt", "true", "echo 9 migrations");
    String ran =
        "\u0001C0\nhello\n\u0001R0 0\n\u0001C1\n\u0001R1 0\n\u0001C2\n9 migrations\n\u0001R2 0\n";
    assertThat(DocsExamplesIT.compare(doc, commands, ran, DIR)).isEmpty();
    // The planted stale line: the page says 9, the command printed 10.
    String stale = ran.replace("9 migrations\n\u0001R2", "10 migrations\n\u0001R2");
    assertThat(DocsExamplesIT.compare(doc, commands, stale, DIR))
        .singleElement()
        .asString()
        .contains("page.md:13: $ echo 9 migrations", "shows a line it did not print: 9 migrations");
    // A command shown without output must succeed.
    assertThat(DocsExamplesIT.compare(doc, commands, ran.replace("R1 0", "R1 3"), DIR))
        .singleElement()
        .asString()
        .contains("$ true", "exited 3");
  }
}
