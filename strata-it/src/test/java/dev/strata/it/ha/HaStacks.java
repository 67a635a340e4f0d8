package dev.strata.it.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.SpecLoader;
import dev.strata.ops.process.Wait;
import dev.strata.ops.stack.ComponentStatus;
import dev.strata.ops.stack.Stack;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** A stack of its own in a temporary folder, for the HA test classes (one stack per class). */
final class HaStacks {
  private HaStacks() {}

  static Stack up(String name, String redisSection) throws IOException {
    Path project = Files.createTempDirectory("strata-" + name + "-");
    Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        project.resolve("strata.yaml"),
        "postgres:\n  port: 0\n  memory: 256mb\npooler:\n  port: 0\nredis:\n  port: 0\n"
            + redisSection);
    Stack stack =
        new Stack(project, SpecLoader.load(project.resolve("strata.yaml"), n -> null), l -> {});
    try {
      stack.up();
    } catch (RuntimeException e) {
      destroy(stack);
      throw e;
    }
    return stack;
  }

  static void destroy(Stack stack) {
    if (stack != null) {
      stack.destroy();
      StackFiles.deleteTree(stack.projectDir());
    }
  }

  /** The live details of one instance ({@code role}, {@code master}, {@code link}...). */
  static Map<String, String> details(Stack stack, String id) {
    return stack.status().stream()
        .filter(s -> s.instance().id().equals(id))
        .findFirst()
        .map(ComponentStatus::details)
        .orElseThrow();
  }

  /** The pid of a running instance. */
  static long pid(Stack stack, String id) {
    return stack.status().stream()
        .filter(s -> s.instance().id().equals(id))
        .findFirst()
        .flatMap(ComponentStatus::pid)
        .orElseThrow(() -> new AssertionError(id + " does not run"));
  }

  /** Polls until {@code id}'s details match, failing with the last details seen. */
  static void awaitDetails(Stack stack, String id, Predicate<Map<String, String>> wanted) {
    boolean ok = Wait.until(() -> wanted.test(details(stack, id)), Duration.ofSeconds(60));
    assertThat(ok).as(id + " details: " + details(stack, id)).isTrue();
  }

  static void kill9(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    boolean gone = Wait.until(() -> ProcessHandle.of(pid).isEmpty(), Duration.ofSeconds(10));
    assertThat(gone).as("pid " + pid + " exits after SIGKILL").isTrue();
  }
}
