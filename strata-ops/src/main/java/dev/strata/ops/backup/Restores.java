package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.Ports;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Restored copies of the stack's PostgreSQL, each in its own folder under {@code .strata/restores}
 * on a free port: pgBackRest restores into a new data directory, recovery runs to the target and
 * promotes, and the copy is left running beside the stack (the stack itself is not touched).
 */
public final class Restores {
  private static final Pattern SET = Pattern.compile("restore backup set (\\S+?),?\\s");

  private final ComponentContext context;
  private final PgBackRest engine;

  public Restores(ComponentContext context) {
    this.context = context;
    this.engine = new PgBackRest(context);
  }

  /** {@code .strata/restores}. */
  public Path root() {
    return context.dir().root().resolve("restores");
  }

  /**
   * Restores {@code set} (or the one pgBackRest picks for the target) to {@code target} into {@code
   * .strata/restores/<id>} and starts it, promoted, on a free port.
   *
   * @throws StrataException when the restore or the recovery fails; nothing is left running and the
   *     folder is removed
   */
  RestoredInstance restore(String id, RestoreTarget target, Optional<String> set) {
    Path folder = root().resolve(id);
    if (Files.exists(folder)) {
      throw StrataException.badInput(
          folder + " already exists", "choose another name, or remove that restored copy first");
    }
    long start = System.nanoTime();
    Path data = folder.resolve("data");
    try {
      ConfigFiles.createDirectories(data);
      ConfigFiles.createDirectories(folder.resolve("spool"));
      setMode(data, "rwx------");
      context.runAs().give(folder);
      List<String> args = new ArrayList<>();
      args.add("--pg1-path=" + data);
      args.add("--archive-mode=off");
      // Its own spool: restore empties the spool's queue, which the stack's archiving is using.
      args.add("--spool-path=" + folder.resolve("spool"));
      args.add("--log-level-console=info");
      args.add("--no-delta");
      args.addAll(target.options());
      set.ifPresent(s -> args.add("--set=" + s));
      Exec.Result r = engine.command("restore", args).run();
      if (!r.ok()) {
        throw StrataException.failed(
            "pgBackRest could not restore " + target + ": " + PgBackRest.explain(r),
            spaceHint(r.output(), folder) + "nothing was started and " + folder + " was removed",
            null);
      }
      String label = restoredSet(r.output()).orElse(set.orElse(""));
      int port = Ports.free(context.spec().security().bind());
      // The copy must neither listen where the stack does nor archive into the stack's repository,
      // nor wait for a Patroni leader's synchronous standby (its postgresql.conf names one).
      Files.writeString(
          data.resolve("postgresql.auto.conf"),
          "\n# Added by strata restore: a copy beside the stack.\nport = "
              + port
              + "\narchive_mode = 'off'\narchive_command = ''\nsynchronous_standby_names = ''\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      start(folder, data);
      waitPromoted(folder, port, target);
      long millis = (System.nanoTime() - start) / 1_000_000;
      return new RestoredInstance(id, folder, port, label, target, millis);
    } catch (RuntimeException | IOException e) {
      remove(id);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot prepare " + folder, io);
      }
      throw (RuntimeException) e;
    }
  }

  /** The set pgBackRest says it restored. */
  static Optional<String> restoredSet(String output) {
    Matcher m = SET.matcher(output);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * The fix for a full disk, when that is the cause: else empty. pgBackRest reports only that a
   * write failed, so the free space of {@code where} (still holding the partial restore) decides.
   */
  static String spaceHint(String output, Path where) {
    boolean full = output.contains("No space left on device") || output.contains("[ENOSPC]");
    if (!full && output.contains("unable to write")) {
      try {
        full = Files.getFileStore(where).getUsableSpace() < 16L * 1024 * 1024;
      } catch (IOException e) {
        full = false;
      }
    }
    return full
        ? "the file system of "
            + where
            + " is full: free space there or move .strata/restores to a larger disk (a symbolic"
            + " link works); "
        : "";
  }

  /** Starts the server of {@code data} with its log in {@code folder}, waiting up to 10 min. */
  void start(Path folder, Path data) {
    Path log = folder.resolve("postgres.log");
    Exec.Result r =
        context
            .runAs()
            .exec(
                pgCtl(),
                "start",
                "-s",
                "-w",
                "-t",
                "600",
                "-D",
                data.toString(),
                "-l",
                log.toString())
            .timeout(Duration.ofMinutes(11))
            .run();
    if (!r.ok() && process(data).isEmpty()) {
      throw StrataException.failed(
          "the restored PostgreSQL did not start: " + Logs.lastLines(Logs.tail(log, 20), 12),
          "nothing was left running; see the log above",
          null);
    }
  }

  /** Waits until recovery reached its target and the copy promoted (or died trying). */
  void waitPromoted(Path folder, int port, RestoreTarget target) {
    Path data = folder.resolve("data");
    boolean promoted =
        Wait.until(() -> process(data).isEmpty() || !inRecovery(port), Duration.ofMinutes(30));
    if (process(data).isEmpty() || !promoted) {
      String log = Logs.tail(folder.resolve("postgres.log"), 30);
      String hint =
          log.contains("recovery ended before configured recovery target was reached")
              ? "the archived WAL ends before " + target + ": choose an earlier target"
              : "see the restored server's log above";
      throw StrataException.failed(
          "recovery to " + target + " did not complete:\n" + Logs.indent(Logs.lastLines(log, 12)),
          hint + "; nothing was left running",
          null);
    }
  }

  private boolean inRecovery(int port) {
    Exec.Result r =
        new dev.strata.ops.postgres.Psql(context.tools().pgBinDir())
            .superuser(
                context.runAs(),
                context.socketDir(),
                port,
                Heartbeat.DATABASE,
                "SELECT pg_is_in_recovery()")
            .timeout(Duration.ofSeconds(10))
            .run();
    return !r.ok() || !r.output().strip().equals("f");
  }

  /** Stops the restored copy {@code id} (fast) and deletes its folder. */
  public void remove(String id) {
    Path folder = root().resolve(id);
    stop(folder);
    try {
      deleteTree(folder);
    } catch (IOException | UncheckedIOException e) {
      // Best effort: a folder left behind is named by the failure the caller reports.
    }
  }

  /** Stops every restored copy, keeping their folders (for {@code strata down}). */
  public static void stopAll(ComponentContext context) {
    Restores restores = new Restores(context);
    for (Path folder : restores.folders()) {
      restores.stop(folder);
    }
  }

  /** The restored copies' folders, oldest first. */
  public List<Path> folders() {
    if (!Files.isDirectory(root())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root())) {
      return s.filter(Files::isDirectory).sorted(Comparator.naturalOrder()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private void stop(Path folder) {
    // A scratch Redis (strata restore redis) has its pid file beside its data.
    new PidFile(folder.resolve("redis.pid"), "redis-server").terminate(Duration.ofSeconds(60));
    Path data = folder.resolve("data");
    if (process(data).isPresent()) {
      context
          .runAs()
          .exec(pgCtl(), "stop", "-s", "-w", "-t", "60", "-m", "fast", "-D", data.toString())
          .run();
    }
  }

  static Optional<ProcessHandle> process(Path data) {
    return new PidFile(data.resolve("postmaster.pid"), "postgres").process();
  }

  private String pgCtl() {
    return context.tools().pgBinDir().resolve("pg_ctl").toString();
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void setMode(Path dir, String mode) throws IOException {
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
  }
}
