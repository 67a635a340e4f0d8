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
 * without INFO, so this also proves the app ACL user lets client libraries connect).
 */
@StrataTest
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
}
