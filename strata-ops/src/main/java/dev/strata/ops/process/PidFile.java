package dev.strata.ops.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A server's pid file, and the process it names. A pid is only believed when the process is alive
 * and its command matches, so a stale file whose pid was reused does not count.
 */
public record PidFile(Path file, String commandName) {

  /** The live server process, if there is one. */
  public Optional<ProcessHandle> process() {
    try {
      String text = Files.readString(file).lines().findFirst().orElse("").trim();
      return ProcessHandle.of(Long.parseLong(text)).filter(PidFile::running).filter(this::matches);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  public boolean alive() {
    return process().isPresent();
  }

  /**
   * Whether {@code process} still runs: alive and not a zombie, an exited process its new parent
   * has not reaped yet (daemons are reparented when their starter exits; some inits reap late).
   */
  public static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // pid (comm) state ...: comm may hold spaces and parentheses, so read after the last ')'.
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException | IndexOutOfBoundsException e) {
      return process.isAlive();
    }
  }

  /** Whether the process {@code pid} still runs (see {@link #running(ProcessHandle)}). */
  public static boolean running(long pid) {
    return ProcessHandle.of(pid).map(PidFile::running).orElse(false);
  }

  /**
   * Sends SIGTERM and waits for the process to exit; SIGKILL after {@code grace}.
   *
   * @return whether it had to be killed
   */
  public boolean terminate(Duration grace) {
    return terminate("TERM", grace);
  }

  /**
   * Sends {@code signal} ({@code INT}, {@code TERM}: a server's own choice of shutdown) and waits
   * for the process to exit; SIGKILL after {@code grace}.
   *
   * @return whether it had to be killed
   */
  public boolean terminate(String signal, Duration grace) {
    Optional<ProcessHandle> process = process();
    if (process.isEmpty()) {
      return false;
    }
    ProcessHandle p = process.get();
    if (signal.equals("TERM")) {
      p.destroy();
    } else {
      Exec.of("kill", "-" + signal, Long.toString(p.pid())).run();
    }
    if (Wait.until(() -> !running(p), grace)) {
      return false;
    }
    p.destroyForcibly();
    Wait.until(() -> !running(p), Duration.ofSeconds(5));
    return true;
  }

  /**
   * Compares the process name the kernel keeps (truncated to 15 characters), not the executable:
   * Debian's redis-server is a link to redis-check-rdb.
   */
  private boolean matches(ProcessHandle p) {
    try {
      String comm = Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).trim();
      return commandName.startsWith(comm) && !comm.isEmpty();
    } catch (IOException e) {
      return p.info().command().map(c -> c.endsWith(commandName)).orElse(true);
    }
  }
}
