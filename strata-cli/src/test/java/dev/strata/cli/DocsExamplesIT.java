package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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

  @TestFactory
  Stream<DynamicTest> every_tested_page_runs_as_written() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path page : pages()) {
      DocPage doc = DocPage.read(page);
      if (doc.tested()) {
        tests.add(DynamicTest.dynamicTest(CHECKOUT.relativize(page).toString(), () -> run(doc)));
      }
    }
    return tests.stream();
  }

  private static void run(DocPage page) throws Exception {
    Path root = Files.createTempDirectory("strata-doc-");
    Path tools = Files.createTempDirectory("strata-doc-bin-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      copyExamples(root.resolve("examples"));
      Files.createSymbolicLink(tools.resolve("strata"), CHECKOUT.resolve("strata"));
      List<DocPage.Command> commands = new ArrayList<>();
      StringBuilder script = new StringBuilder("exec 2>&1 </dev/null\ncd " + quote(root) + "\n");
      int payloads = 0;
      for (DocPage.Step step : page.steps()) {
        if (step instanceof DocPage.WriteFile f) {
          Path payload = tools.resolve("file-" + payloads++);
          Files.writeString(payload, f.text(), StandardCharsets.UTF_8);
          script
              .append("cp ")
              .append(quote(payload))
              .append(' ')
              .append(quote(f.name()))
              .append('\n');
        } else if (step instanceof DocPage.Session s) {
          for (DocPage.Command c : s.commands()) {
            int i = commands.size();
            commands.add(c);
            script.append(String.format("printf '\\001C%d\\n'%n", i));
            script.append(c.text()).append('\n');
            script.append(String.format("printf '\\001R%d %%s\\n' \"$?\"%n", i));
          }
        }
      }
      Path scriptFile = tools.resolve("page.sh");
      Files.writeString(scriptFile, script, StandardCharsets.UTF_8);
      ProcessBuilder pb =
          new ProcessBuilder("bash", scriptFile.toString()).redirectErrorStream(true);
      pb.environment().put("PATH", tools + ":" + System.getenv("PATH"));
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(20, TimeUnit.MINUTES)).as("the page's commands finish").isTrue();
      List<String> problems = compare(page, commands, output, root.toString());
      assertThat(problems).as(String.join("\n\n", problems)).isEmpty();
    } finally {
      destroyStacks(root, tools.resolve("strata"));
      StackFiles.deleteTree(root);
      StackFiles.deleteTree(tools);
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

  private static void copyExamples(Path target) throws IOException {
    Path from = CHECKOUT.resolve("examples");
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.filter(f -> !f.toString().contains("/.strata")).toList()) {
        Path to = target.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
          Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(f, to);
        }
      }
    }
  }

  /** {@code strata destroy --yes} in every folder of the page that has a stack. */
  private static void destroyStacks(Path root, Path strata) throws Exception {
    List<Path> stacks;
    try (Stream<Path> dirs = Files.walk(root, 4)) {
      stacks = dirs.filter(d -> d.getFileName().toString().equals(".strata")).toList();
    }
    for (Path stack : stacks) {
      Process p =
          new ProcessBuilder(strata.toString(), "destroy", "--yes")
              .directory(stack.getParent().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.waitFor(2, TimeUnit.MINUTES);
    }
  }

  private static String quote(Object path) {
    return "'" + path.toString().replace("'", "'\\''") + "'";
  }
}
