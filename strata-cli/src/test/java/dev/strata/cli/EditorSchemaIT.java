package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code strata init} writes works in a real editor's language server: yaml-language-server
 * (from npm, as VS Code, Neovim, Helix and Zed run it) opens strata.yaml offline, finds the schema
 * through the modeline's relative path, flags mistakes and completes keys.
 */
class EditorSchemaIT {
  private static final String SERVER = "yaml-language-server@1.25.0";
  private static final String JSONRPC = "vscode-jsonrpc@8.2.0";

  @TempDir static Path tools;
  @TempDir Path project;

  @BeforeAll
  static void installLanguageServer() throws Exception {
    try (InputStream script = EditorSchemaIT.class.getResourceAsStream("/editor/lsp-check.js")) {
      Files.copy(script, tools.resolve("lsp-check.js"));
    }
    Files.writeString(tools.resolve("package.json"), "{\"private\": true}\n");
    Result npm =
        run(
            tools,
            180,
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            SERVER,
            JSONRPC);
    assertThat(npm.code())
        .as(
            "npm install %s failed (needs node and npm: apt-get install nodejs npm):%n%s",
            SERVER, npm)
        .isZero();
  }

  @Test
  void the_file_init_writes_is_clean() throws Exception {
    assertThat(Cli.run(project, "init").exitCode()).isZero();
    Result check = lspCheck(project.resolve("strata.yaml"), 0, 0);
    assertThat(check.out()).as(check.toString()).contains("\"diagnostics\":[]");
  }

  @Test
  void keys_are_completed_from_the_schema() throws Exception {
    assertThat(Cli.run(project, "init").exitCode()).isZero();
    Path yaml = project.resolve("strata.yaml");
    String modeline = Files.readAllLines(yaml).get(0);
    // As if typing the first key under pooler: (line 2, after the indent).
    Files.writeString(yaml, modeline + "\npooler:\n  \n", StandardCharsets.UTF_8);
    Result check = lspCheck(yaml, 2, 2);
    assertThat(check.out())
        .as(check.toString())
        .contains("\"port\"", "\"mode\"", "\"default_pool_size\"", "\"max_client_conn\"");
  }

  @Test
  void mistakes_are_flagged_where_they_stand() throws Exception {
    assertThat(Cli.run(project, "init").exitCode()).isZero();
    Path yaml = project.resolve("strata.yaml");
    String modeline = Files.readAllLines(yaml).get(0);
    Files.writeString(
        yaml,
        modeline
            + "\npostgres:\n  databses: [app]\n  port: 70000\n  settings:\n"
            + "    listen_addresses: \"*\"\npooler:\n  mode: random\n",
        StandardCharsets.UTF_8);
    Result check = lspCheck(yaml, 7, 2);
    assertThat(check.out())
        .as(check.toString())
        .contains("{\"line\":3,\"column\":3,\"message\":\"Property databses is not allowed.\"}")
        .contains("{\"line\":4,\"column\":9,\"message\":\"Value is above the maximum of 65535.\"}")
        .contains(
            "\"line\":6,\"column\":5,\"message\":\"Strata sets listen_addresses itself: set"
                + " security.bind instead")
        .contains("{\"line\":8,\"column\":9,");
  }

  private static Result lspCheck(Path yaml, int line, int character) throws Exception {
    return run(
        tools,
        60,
        "node",
        tools.resolve("lsp-check.js").toString(),
        yaml.toString(),
        Integer.toString(line),
        Integer.toString(character));
  }

  private record Result(int code, String out) {
    @Override
    public String toString() {
      return "exit " + code + ":\n" + out;
    }
  }

  private static Result run(Path dir, int timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "run", ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      return new Result(-1, "timed out after " + timeoutSeconds + " s: " + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }
}
