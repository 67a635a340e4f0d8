package dev.strata.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.process.Wait;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No throwaway stack outlives its JVM. */
class ReaperIT {
  @Test
  void servers_of_a_test_jvm_killed_with_sigkill_are_stopped_and_their_folder_deleted()
      throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HoldStack.class.getName())
            .redirectErrorStream(true)
            .start();
    Path home;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("HOME "));
      assertThat(line).as("the child JVM started a stack").isNotNull();
      home = Path.of(line.substring(5));
    }
    assertThat(serversIn(home)).isNotEmpty(); // the three servers and PostgreSQL's own processes

    child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no JUnit close

    assertThat(Wait.until(() -> serversIn(home).isEmpty(), Duration.ofSeconds(30)))
        .as("servers still running from " + home + ": " + serversIn(home))
        .isTrue();
    assertThat(Wait.until(() -> !Files.exists(home), Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void the_sweep_destroys_a_stack_whose_jvm_is_gone() throws Exception {
    StrataStack stack = StrataStack.start("orphan", "");
    Path home = stack.home();
    // As if its JVM had died (with its watchdog): the owner names a process that is not running.
    Files.writeString(home.resolve(Reaper.OWNER), "999999999 1970-01-01T00:00:00Z\n");

    assertThat(Reaper.sweep(home.getParent())).contains(home);

    assertThat(serversIn(home)).isEmpty();
    assertThat(home).doesNotExist();
  }

  @Test
  void the_sweep_leaves_stacks_of_running_jvms_alone() {
    try (StrataStack stack = StrataStack.start("owned", "")) {
      assertThat(Reaper.sweep(stack.home().getParent())).doesNotContain(stack.home());
      assertThat(stack.stack().status()).allMatch(s -> s.state().equals("running"));
    }
  }

  /** The processes whose command line or working folder is in {@code home}. */
  static List<ProcessHandle> serversIn(Path home) {
    String prefix = home.toString();
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              try {
                Path cwd = Path.of("/proc", Long.toString(p.pid()), "cwd").toRealPath();
                String cmd = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                return (cwd.startsWith(prefix) || cmd.contains(prefix))
                    && !cmd.contains("watchdog");
              } catch (Exception e) {
                return false;
              }
            })
        .toList();
  }

  /** A test JVM that starts a stack, says where, and waits to be killed. */
  public static final class HoldStack {
    public static void main(String[] args) throws InterruptedException {
      StrataStack stack = StrataStack.start("killed", "");
      System.out.println("HOME " + stack.home());
      System.out.flush();
      Thread.sleep(Duration.ofMinutes(5).toMillis());
    }
  }
}
