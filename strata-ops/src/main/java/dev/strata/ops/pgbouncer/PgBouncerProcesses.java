package dev.strata.ops.pgbouncer;

import dev.strata.core.spec.PoolerSpec;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.PidFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The PgBouncer processes of one pooler. PgBouncer is single-threaded; its way to use more cores is
 * several processes on one port: {@code so_reuseport = 1} lets each bind it and the kernel spreads
 * new connections over them, and {@code peer_id} with a {@code [peers]} section (PgBouncer 1.19+)
 * forwards a cancel request that reaches the wrong process to the one running the query. Each
 * process has its own pid file, log and Unix socket folder (the peers reach one another there), and
 * its share of {@code default_pool_size}, so that the server connections of the pooler total what
 * strata.yaml says. Process 1 keeps the names a one-process pooler has ({@code pgbouncer.ini},
 * {@code pgbouncer.pid}, {@code pgbouncer.log}).
 *
 * @param dir the pooler's folder
 * @param socketRoot the folder under which each process gets its Unix socket folder (PostgreSQL's
 *     socket folder, kept short for the 107-byte socket path limit)
 * @param count how many processes run
 */
public record PgBouncerProcesses(Path dir, Path socketRoot, int count) {
  /** The most processes a pooler runs: {@code pooler.processes}' upper bound. */
  static final int MAX = 16;

  /** When {@code pooler.processes} is 0: one per core up to this many. */
  static final int AUTO_MAX = 4;

  /** The first PgBouncer with {@code peer_id} and {@code [peers]}. */
  static final PgBouncerVersion PEERS = new PgBouncerVersion(1, 19, 0, "1.19.0");

  /**
   * How many processes {@code spec} asks for on this machine with a PgBouncer of {@code version}:
   * one when that PgBouncer has no peers (a cancel request would reach the wrong process).
   */
  public static int count(PoolerSpec spec, PgBouncerVersion version, int cores) {
    if (version.compareTo(PEERS) < 0) {
      return 1;
    }
    return spec.processes() > 0 ? spec.processes() : Math.max(1, Math.min(cores, AUTO_MAX));
  }

  /** The processes of the pooler of {@code context}'s stack, with its PgBouncer on this machine. */
  public static PgBouncerProcesses of(ComponentContext context) {
    return new PgBouncerProcesses(
        context.folder(context.topology().first(Kind.POOLER)),
        context.socketDir(),
        count(
            context.spec().pooler(),
            PgBouncerBinary.versionOf(context.tools().pgbouncer()),
            Runtime.getRuntime().availableProcessors()));
  }

  /** Process {@code k}'s ini file (1-based). */
  public Path ini(int k) {
    return dir.resolve(name(k) + ".ini");
  }

  /** Process {@code k}'s pid file. */
  public Path pidFile(int k) {
    return dir.resolve(name(k) + ".pid");
  }

  /** Process {@code k}'s log. */
  public Path log(int k) {
    return dir.resolve(name(k) + ".log");
  }

  /** Process {@code k}'s Unix socket folder; only a pooler of several processes listens on one. */
  public Path socketDir(int k) {
    return socketRoot.resolve("pgbouncer-" + k);
  }

  /** The Unix socket folder of every process, in order; empty for a one-process pooler. */
  public List<Path> socketDirs() {
    return count == 1 ? List.of() : ordinals().mapToObj(this::socketDir).toList();
  }

  /** Process numbers, 1 to count. */
  public IntStream ordinals() {
    return IntStream.rangeClosed(1, count);
  }

  /** Process {@code k}'s live process, if any. */
  public PidFile pid(int k) {
    return new PidFile(pidFile(k), "pgbouncer");
  }

  /**
   * Every pid file in the folder, also of processes past {@link #count} (left from a larger {@code
   * pooler.processes}), so that a stop stops them all.
   */
  public List<PidFile> allPidFiles() {
    List<PidFile> all = new ArrayList<>();
    for (int k = 1; k <= MAX; k++) {
      if (k <= count || Files.exists(pidFile(k))) {
        all.add(pid(k));
      }
    }
    return all;
  }

  /** Each process's share of {@code total} server connections, rounded up. */
  public int poolSize(int total) {
    return (total + count - 1) / count;
  }

  /**
   * The {@code [pgbouncer]} lines that make process {@code k} one of several: the shared port and
   * its peer number. Empty for a one-process pooler.
   */
  public String settings(int k) {
    if (count == 1) {
      return "";
    }
    return "so_reuseport = 1\npeer_id = " + k + "\n";
  }

  /** The {@code [peers]} section, last in the file; empty for a one-process pooler. */
  public String peers(int port) {
    if (count == 1) {
      return "";
    }
    StringBuilder out = new StringBuilder("\n[peers]\n");
    ordinals()
        .forEach(
            k ->
                out.append(k)
                    .append(" = host=")
                    .append(socketDir(k))
                    .append(" port=")
                    .append(port)
                    .append('\n'));
    return out.toString();
  }

  /** Creates the socket folders of a pooler of several processes. */
  public void createSocketDirs() {
    for (Path d : socketDirs()) {
      try {
        Files.createDirectories(d);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static String name(int k) {
    return k == 1 ? "pgbouncer" : "pgbouncer-" + k;
  }
}
