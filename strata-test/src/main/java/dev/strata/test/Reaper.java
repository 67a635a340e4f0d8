package dev.strata.test;

import dev.strata.core.spec.SpecLoader;
import dev.strata.ops.stack.Stack;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Makes sure no throwaway stack outlives its test JVM, even one killed with {@code kill -9}, in two
 * independent ways.
 *
 * <ol>
 *   <li>A watchdog: one small shell process per JVM, in a session of its own (so a signal to the
 *       JVM's process group does not take it down too), waits for the JVM to exit and then stops
 *       the servers of every stack the JVM registered and deletes their folders. A server is
 *       signalled only if its process still runs from that folder (no pid reused by another program
 *       is touched).
 *   <li>A sweep: the first stack a JVM starts looks for throwaway stacks in the temporary folder
 *       whose owner JVM is gone (the watchdog was killed too, the machine rebooted) and destroys
 *       them.
 * </ol>
 */
final class Reaper {
  /** The file in a throwaway stack's folder naming the JVM that owns it: pid and start time. */
  static final String OWNER = ".strata-test-owner";

  private static final String WATCHDOG =
      """
      jvm=$1; list=$2
      while kill -0 "$jvm" 2>/dev/null; do sleep 0.5; done
      [ -f "$list" ] || exit 0
      ours() { [ -d /proc/$1 ] && { readlink /proc/$1/cwd; tr '\\0' ' ' </proc/$1/cmdline; } 2>/dev/null | grep -qF "$2"; }
      while IFS= read -r home; do
        [ -f "$home/%s" ] || continue
        for f in "$home"/.strata/*/*.pid "$home"/.strata/*/data/postmaster.pid; do
          [ -f "$f" ] || continue
          pid=$(head -1 "$f")
          case "$f" in */postmaster.pid) sig=INT ;; *) sig=TERM ;; esac
          ours "$pid" "$home" && kill -$sig "$pid" 2>/dev/null
        done
        for i in $(seq 1 100); do
          alive=0
          for f in "$home"/.strata/*/*.pid "$home"/.strata/*/data/postmaster.pid; do
            [ -f "$f" ] && ours "$(head -1 "$f")" "$home" && alive=1
          done
          [ $alive = 0 ] && break
          sleep 0.1
        done
        rm -rf "$home"
      done < "$list"
      rm -f "$list"
      """
          .formatted(OWNER);

  private static Path registry;

  private Reaper() {}

  /** Registers a new stack folder with this JVM's watchdog (started on first use). */
  static synchronized void register(Path home) {
    try {
      Files.writeString(home.resolve(OWNER), self() + "\n", StandardCharsets.UTF_8);
      if (registry == null) {
        sweep(home.getParent());
        registry = startWatchdog(home.getParent());
      }
      Files.writeString(
          registry,
          home + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot register the throwaway stack " + home, e);
    }
  }

  /** This JVM: its pid and start time (a pid alone may be reused after the JVM is gone). */
  static String self() {
    ProcessHandle me = ProcessHandle.current();
    return me.pid() + " " + me.info().startInstant().map(Instant::toString).orElse("?");
  }

  /** Whether the JVM an owner line names still runs. */
  static boolean alive(String owner) {
    String[] parts = owner.trim().split(" ");
    if (parts.length != 2 || !parts[0].matches("\\d+")) {
      return false;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(parts[0]));
    return p.isPresent()
        && p.get().isAlive()
        && p.get().info().startInstant().map(Instant::toString).orElse("?").equals(parts[1]);
  }

  private static Path startWatchdog(Path tmp) throws IOException {
    Path list = tmp.resolve("strata-test-" + ProcessHandle.current().pid() + ".stacks");
    Files.deleteIfExists(list);
    new ProcessBuilder(
            "setsid",
            "sh",
            "-c",
            WATCHDOG,
            "strata-test-watchdog",
            Long.toString(ProcessHandle.current().pid()),
            list.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    return list;
  }

  /**
   * Destroys the throwaway stacks in {@code tmp} whose JVM is gone.
   *
   * @return the folders destroyed
   */
  static List<Path> sweep(Path tmp) {
    List<Path> stale;
    try (Stream<Path> entries = Files.list(tmp)) {
      stale =
          entries
              .filter(p -> p.getFileName().toString().startsWith("strata-"))
              .filter(p -> Files.isRegularFile(p.resolve(OWNER)))
              .filter(p -> !alive(read(p.resolve(OWNER))))
              .toList();
    } catch (IOException e) {
      return List.of();
    }
    for (Path home : stale) {
      try {
        new Stack(home, SpecLoader.load(home.resolve("strata.yaml"), System::getenv), line -> {})
            .destroy();
      } catch (RuntimeException e) {
        // Half-made or damaged: what can be stopped was, the folder goes regardless.
      }
      StackFiles.deleteTree(home);
    }
    return stale;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
