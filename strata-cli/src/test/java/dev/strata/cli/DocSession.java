package dev.strata.cli;

import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One page's tested examples run as one shell session with the built launcher, in a throwaway
 * folder holding a copy of examples/ (a {@code cd} or an {@code eval} holds for the rest of the
 * page). The stacks the page started stay up until {@link #close()}, so a blueprint's test can
 * check on the running servers what the page's commands built.
 */
final class DocSession implements AutoCloseable {
  static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();

  private final Path root;
  private final Path tools;
  private final List<String> problems;
  private final Map<String, String> env;

  private DocSession(Path root, Path tools, List<String> problems, Map<String, String> env) {
    this.root = root;
    this.tools = tools;
    this.problems = problems;
    this.env = Map.copyOf(env);
  }

  /**
   * Runs every tested block of {@code page}; what differs from the page is in {@link #problems}.
   */
  static DocSession run(DocPage page) throws Exception {
    return run(page, Map.of());
  }

  /**
   * The same, with {@code env} added to the session's environment: what a page asks its reader to
   * export (an S3 endpoint, a webhook URL) when the test gives its own local servers.
   */
  static DocSession run(DocPage page, Map<String, String> env) throws Exception {
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
      pb.environment().putAll(env);
      pb.environment().put("PATH", tools + ":" + System.getenv("PATH"));
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(page.file() + ": the page's commands did not finish");
      }
      return new DocSession(
          root, tools, DocsExamplesIT.compare(page, commands, output, root.toString()), env);
    } catch (Exception | Error e) {
      new DocSession(root, tools, List.of(), env).close();
      throw e;
    }
  }

  /** The variables the page ran with (besides the test's own environment). */
  Map<String, String> env() {
    return env;
  }

  /** The folder the page ran in: {@code examples/} is copied under it. */
  Path root() {
    return root;
  }

  /** Each command whose output or exit code differs from the page; empty when it ran as written. */
  List<String> problems() {
    return problems;
  }

  /** {@code strata destroy --yes} in every folder of the page that has a stack, then the files. */
  @Override
  public void close() throws Exception {
    try {
      List<Path> stacks;
      try (Stream<Path> dirs = Files.walk(root, 4)) {
        stacks = dirs.filter(d -> d.getFileName().toString().equals(".strata")).toList();
      }
      for (Path stack : stacks) {
        ProcessBuilder destroy =
            new ProcessBuilder(tools.resolve("strata").toString(), "destroy", "--yes")
                .directory(stack.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // The page's strata.yaml may read the variables it was run with.
        destroy.environment().putAll(env);
        Process p = destroy.start();
        p.waitFor(2, TimeUnit.MINUTES);
      }
    } finally {
      StackFiles.deleteTree(root);
      StackFiles.deleteTree(tools);
    }
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

  private static String quote(Object path) {
    return "'" + path.toString().replace("'", "'\\''") + "'";
  }
}
