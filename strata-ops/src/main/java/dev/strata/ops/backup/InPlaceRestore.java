package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import dev.strata.core.topology.Instance;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code strata restore --in-place}: replaces the stack's PostgreSQL data with a restore. The
 * server is stopped, its data directory is renamed (kept until the user deletes it), pgBackRest
 * restores into a fresh one, recovery runs to the target and promotes on a new timeline that keeps
 * archiving into the same stanza, and the stack is brought up again. When anything fails the
 * restored directory is removed, the old one is put back and the stack is started as it was.
 */
public final class InPlaceRestore {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  // Strata's own files, not the backup's: the ones the running stack rendered win.
  private static final List<String> KEPT =
      List.of("postgresql.conf", "pg_hba.conf", "strata-bootstrap.properties");

  /** What the restore did: the set, the target and where the replaced data directory is kept. */
  public record Result(String backupSet, RestoreTarget target, Path keptDataDir, long millis) {}

  private final Stack stack;
  private final Consumer<String> progress;

  public InPlaceRestore(Stack stack, Consumer<String> progress) {
    this.stack = stack;
    this.progress = progress;
  }

  /**
   * Restores {@code target} over the stack's data.
   *
   * @throws StrataException when it cannot; the stack's own data is back in place and running
   */
  public Result run(RestoreTarget target, Optional<String> set) {
    ComponentContext context = stack.context();
    if (context.spec().postgres().highlyAvailable()) {
      // Patroni owns the nodes' data: replacing the leader's data under it would be followed
      // by a replica's takeover or a rewind, not by the restored data.
      throw StrataException.badInput(
          "restore --in-place is not supported with postgres.nodes > 1 (Patroni would hand the"
              + " leadership to a replica holding the current data)",
          "restore beside the stack (strata restore --to ..., without --in-place) and copy what"
              + " you need from it; nothing was changed");
    }
    Backups backups = new Backups(context, progress);
    Backups.requireRestorable(target, backups.list(), set);
    Instance primary = context.postgresPrimary();
    if (target.kind() != RestoreTarget.Kind.LSN) {
      backups.archiveNow();
    }
    Path folder = context.folder(primary);
    Path data = folder.resolve("data");
    Path kept =
        folder.resolve("data.before-restore-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP));
    long start = System.nanoTime();
    progress.accept("stopping " + primary.id() + " to replace its data");
    stack.stop(primary.id());
    move(data, kept);
    String label;
    try {
      ConfigFiles.createDirectories(data);
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
      context.runAs().give(data);
      progress.accept(
          "restoring " + target + " into " + data + " (the old data is in " + kept + ")");
      List<String> args = new ArrayList<>();
      args.add("--log-level-console=info");
      args.add("--no-delta");
      args.addAll(target.options());
      set.ifPresent(s -> args.add("--set=" + s));
      Exec.Result r = new PgBackRest(context).command("restore", args).run();
      if (!r.ok()) {
        throw StrataException.failed(
            "pgBackRest could not restore " + target + ": " + PgBackRest.explain(r),
            Restores.spaceHint(r.output(), data)
                + "the stack's data was put back as it was and the stack restarted",
            null);
      }
      label = Restores.restoredSet(r.output()).orElse(set.orElse(""));
      for (String f : KEPT) {
        if (Files.exists(kept.resolve(f))) {
          Files.copy(kept.resolve(f), data.resolve(f), StandardCopyOption.REPLACE_EXISTING);
          context.runAs().give(data.resolve(f));
        }
      }
      Restores restores = new Restores(context);
      restores.start(folder, data);
      restores.waitPromoted(folder, primary.port(), target);
    } catch (RuntimeException | IOException e) {
      putBack(folder, data, kept);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot prepare " + data, io);
      }
      throw (RuntimeException) e;
    }
    // The promoted server is the stack's again: up renders its files, reloads and checks it.
    stack.up();
    long millis = (System.nanoTime() - start) / 1_000_000;
    return new Result(label, target, kept, millis);
  }

  /** Stops a half-restored server, removes its directory and brings the old one back up. */
  private void putBack(Path folder, Path data, Path kept) {
    try {
      if (Restores.process(data).isPresent()) {
        stack.stop(stack.context().postgresPrimary().id());
      }
      Restores.deleteTree(data);
      move(kept, data);
      stack.up();
    } catch (IOException | RuntimeException e) {
      progress.accept(
          "could not put the old data back by itself: it is in "
              + kept
              + " ("
              + e.getMessage()
              + ")");
    }
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + from + " to " + to, e);
    }
  }
}
