package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the examples of README.md, docs/*.md and examples/*&#47;README.md that are marked {@code
 * <!-- doctest -->} (CONTRIBUTING.md says how) with the built launcher, and compares what each
 * command prints with what the page shows: a stale count or a changed message fails the build. Each
 * page runs in a throwaway folder holding a copy of examples/, as one shell session (a {@code cd}
 * or an {@code eval} holds for the rest of the page), so a page that starts a stack starts one and
 * every block of it uses it; the stacks are destroyed when the page ends.
 */
final class DocsExamplesIT {
  static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
  private static final char MARK = '\u0001';

  static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(CHECKOUT.resolve("README.md")));
    for (String dir : List.of("docs", "examples")) {
      try (Stream<Path> files = Files.walk(CHECKOUT.resolve(dir), 2)) {
        files
            .filter(
                f ->
                    dir.equals("docs")
                        ? f.toString().endsWith(".md")
                        : f.getFileName().toString().equals("README.md"))
            .sorted()
            .forEach(pages::add);
      }
    }
    return pages;
  }

  @Test
  void the_pages_that_show_the_first_hour_are_tested() throws IOException {
    List<String> tested = new ArrayList<>();
    for (Path page : pages()) {
      if (DocPage.read(page).tested()) {
        tested.add(CHECKOUT.relativize(page).toString());
      }
    }
    assertThat(tested)
        .contains(
            "docs/install.md",
            "docs/migrations.md",
            "docs/stack.md",
            "docs/upgrading.md",
            "examples/hosterizer/README.md");
  }

  @Test
  void a_page_run_by_its_own_test_names_a_test_class_that_exists() throws IOException {
    for (Path page : pages()) {
      DocPage doc = DocPage.read(page);
      for (String owner : doc.owner().stream().toList()) {
        assertThat(doc.tested()).as("%s names %s but has no tested block", page, owner).isTrue();
        assertThat(Files.isRegularFile(Path.of("src/test/java/dev/strata/cli", owner + ".java")))
            .as("%s is run by %s, which is not a test class of dev.strata.cli", page, owner)
            .isTrue();
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> every_tested_page_runs_as_written() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path page : pages()) {
      DocPage doc = DocPage.read(page);
      if (doc.tested() && doc.owner().isEmpty()) {
        tests.add(DynamicTest.dynamicTest(CHECKOUT.relativize(page).toString(), () -> run(doc)));
      }
    }
    return tests.stream();
  }

  private static void run(DocPage page) throws Exception {
    try (DocSession session = DocSession.run(page)) {
      assertThat(session.problems()).as(String.join("\n\n", session.problems())).isEmpty();
    }
  }

  /** Each command's output and exit code against what the page shows. */
  static List<String> compare(
      DocPage page, List<DocPage.Command> commands, String output, String dir) {
    TreeMap<Integer, List<String>> printed = new TreeMap<>();
    TreeMap<Integer, Integer> codes = new TreeMap<>();
    Integer current = null;
    StringBuilder text = new StringBuilder();
    for (String part : output.split(String.valueOf(MARK), -1)) {
      if (part.startsWith("C")) {
        int nl = part.indexOf('\n');
        current = Integer.parseInt(part.substring(1, nl));
        text.setLength(0);
        text.append(part.substring(nl + 1));
      } else if (part.startsWith("R") && current != null) {
        int nl = part.indexOf('\n');
        String[] rc = part.substring(1, nl).split(" ");
        printed.put(current, text.toString().lines().toList());
        codes.put(current, Integer.parseInt(rc[1]));
        // Output after the exit marker (none expected) would belong to no command.
      } else if (current != null) {
        text.append(part);
      }
    }
    List<String> problems = new ArrayList<>();
    String where = CHECKOUT.relativize(page.file()).toString();
    for (int i = 0; i < commands.size(); i++) {
      DocPage.Command c = commands.get(i);
      List<String> got = printed.get(i);
      String head = where + ":" + c.line() + ": $ " + c.text();
      if (got == null) {
        problems.add(head + "\n  did not run (an earlier command ended the session)");
      } else if (c.output().isEmpty()) {
        if (codes.get(i) != 0) {
          problems.add(
              head
                  + "\n  exited "
                  + codes.get(i)
                  + " (a command shown without output must succeed):\n"
                  + indent(got));
        }
      } else if (!DocOutput.matches(c.output(), got, dir)) {
        problems.add(
            head
                + "\n  the page shows a line it did not print: "
                + DocOutput.firstMissing(c.output(), got, dir)
                + "\n  it printed:\n"
                + indent(got));
      }
    }
    return problems;
  }

  private static String indent(List<String> lines) {
    StringBuilder s = new StringBuilder();
    lines.forEach(l -> s.append("    ").append(l).append('\n'));
    return s.toString();
  }
}
