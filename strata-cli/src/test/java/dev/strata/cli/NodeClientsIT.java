package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.process.Exec;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients in another language, from npm, through exactly the URLs {@code strata env} prints:
 * node-postgres with {@code sslmode=verify-full}, ioredis, and a BullMQ job (which refuses to start
 * without INFO, so this also proves the app ACL user lets client libraries connect). It also runs
 * the Node snippets of docs/connect.md, written from the page, so the page's code works as shown.
 */
// A stack that holds BullMQ queues, as docs/connect.md says to configure it.
@StrataTest(yaml = "redis:\n  policy: noeviction")
final class NodeClientsIT {
  /** npm packages are installed once per machine and version set, not once per build. */
  private static final Path CACHE =
      Path.of(System.getProperty("user.home"), ".cache", "strata", "node-clients-1");

  @BeforeAll
  static void install() throws IOException {
    Files.createDirectories(CACHE);
    for (String file : new String[] {"package.json", "clients.js"}) {
      try (InputStream in = NodeClientsIT.class.getResourceAsStream("/node-clients/" + file)) {
        Files.copy(in, CACHE.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (!Files.isDirectory(CACHE.resolve("node_modules/bullmq"))) {
      Exec.Result npm =
          Exec.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
              .workDir(CACHE)
              .timeout(Duration.ofMinutes(5))
              .run();
      assertThat(npm.ok()).as("npm install: " + npm.output()).isTrue();
    }
  }

  @Test
  void pg_ioredis_and_bullmq_work_through_the_printed_urls(StrataStack stack) {
    Map<String, String> env = stack.env().variables();
    assertThat(env.get("REDIS_URL")).startsWith("rediss://");
    assertThat(env.get("DATABASE_URL")).contains("sslmode=verify-full");

    Exec node = Exec.of("node", "clients.js").workDir(CACHE).timeout(Duration.ofMinutes(2));
    env.forEach(node::env);
    Exec.Result run = node.run();

    assertThat(run.ok()).as(run.output()).isTrue();
    assertThat(run.output())
        .contains("pg: app_app")
        .contains("ioredis: world info")
        .contains("bullmq: 42");
  }

  @Test
  void the_node_snippets_of_connect_md_run_as_written(StrataStack stack) throws IOException {
    Map<String, String> files =
        InstallIT.testFiles(DocsExamplesIT.CHECKOUT.resolve("docs/connect.md"));
    assertThat(files).containsKeys("node/pg.js", "node/ioredis.js", "node/bullmq.js");
    Map<String, String> expected =
        Map.of(
            "node/pg.js", "connected as app_app",
            "node/ioredis.js", "greeting: hello",
            "node/bullmq.js", "sent to ada@example.com");
    for (Map.Entry<String, String> f : files.entrySet()) {
      // Beside node_modules, so that require() finds the packages installed above.
      Path script = CACHE.resolve(f.getKey().replace('/', '-'));
      Files.writeString(script, f.getValue() + "\n");
      Exec node = Exec.of("node", script.toString()).workDir(CACHE).timeout(Duration.ofMinutes(2));
      stack.env().variables().forEach(node::env);
      Exec.Result run = node.run();
      assertThat(run.ok()).as(f.getKey() + ": " + run.output()).isTrue();
      assertThat(run.output().strip()).as(f.getKey()).isEqualTo(expected.get(f.getKey()));
    }
  }
}
