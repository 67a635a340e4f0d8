package dev.strata.ops.postgres;

import dev.strata.core.StrataException;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.RunAs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A freshly initialised cluster kept once per machine, PostgreSQL build, initdb options and OS
 * user, so that a new stack copies it ({@code cp -a --reflink=auto}) instead of running initdb.
 *
 * <p>The template is exactly what initdb leaves, never started: it holds no role but the bootstrap
 * superuser, which has no password (initdb runs without {@code --pwfile}; the superuser logs in
 * only by peer authentication over the socket). Every stack sets its own roles and passwords after
 * the copy. Each copy gets its own system identifier (see {@link SystemIdentifier}), so a backup
 * repository or a replica never mistakes one stack's cluster for another's.
 *
 * <p>Concurrency: a template is built in a folder of its own beside the cache entry and renamed
 * into place in one step; a stack that loses the race deletes its copy and uses the winner's. The
 * entry's existence is the only marker, so a half-built template is never used.
 */
public final class ClusterTemplate {
  private static final Pattern MAJOR = Pattern.compile("/postgresql/(\\d+)/bin/?$");

  /** Daemon threads: background syncing never keeps a JVM alive. */
  private static final Executor BACKGROUND =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "strata-cluster-sync");
            t.setDaemon(true);
            return t;
          });

  private final Path root;
  private final Path binDir;
  private final RunAs runAs;
  private final List<String> initdbOptions;

  /** A template in the machine's cache folder ({@link #cacheRoot()}). */
  public ClusterTemplate(Path binDir, RunAs runAs, List<String> initdbOptions) {
    this(cacheRoot(), binDir, runAs, initdbOptions);
  }

  /**
   * @param root the cache folder
   * @param initdbOptions initdb's options after {@code -D DIR}: what the template is keyed by
   */
  public ClusterTemplate(Path root, Path binDir, RunAs runAs, List<String> initdbOptions) {
    this.root = root;
    this.binDir = binDir;
    this.runAs = runAs;
    this.initdbOptions = List.copyOf(initdbOptions);
  }

  /**
   * The cache folder of every template: {@code $XDG_CACHE_HOME/strata/templates}, or {@code
   * ~/.cache/strata/templates} (root's own home when run as root).
   */
  public static Path cacheRoot() {
    return cacheRoot(System::getenv, System.getProperty("user.home"));
  }

  static Path cacheRoot(Function<String, String> env, String home) {
    String xdg = env.apply("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : Path.of(home, ".cache");
    return base.resolve("strata").resolve("templates");
  }

  /** Deletes every template (and any left-over build folder); returns how many were removed. */
  public static int clear(Path root) {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int removed = 0;
    try (Stream<Path> entries = Files.list(root)) {
      for (Path entry : entries.toList()) {
        deleteTree(entry);
        removed++;
      }
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot clear the template cache " + root + ": " + e.getMessage(),
          "check its permissions, or delete it by hand");
    }
    return removed;
  }

  /** The templates in {@code root}, by name. */
  public static List<String> list(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.contains(".build-"))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * The cache entry's name: the major version and a hash of what makes two clusters differ — the
   * server binary (path, size, modification time: a package upgrade makes a new template), the
   * initdb options and the OS user that owns the files.
   */
  public String key() {
    Path postgres = binDir.resolve("postgres");
    String binary;
    try {
      binary =
          postgres.toRealPath()
              + " "
              + Files.size(postgres)
              + " "
              + Files.getLastModifiedTime(postgres).toMillis();
    } catch (IOException e) {
      binary = postgres.toString();
    }
    Matcher m = MAJOR.matcher(binDir.toString());
    String major = m.find() ? "pg" + m.group(1) : "pg";
    String text = String.join("\n", binary, String.join(" ", initdbOptions), runAs.user());
    return major + "-" + sha256(text).substring(0, 16);
  }

  /** The entry for this build, if it is in the cache. */
  public Optional<Path> cached() {
    Path entry = root.resolve(key());
    return Files.isRegularFile(entry.resolve("PG_VERSION")) ? Optional.of(entry) : Optional.empty();
  }

  /**
   * Creates {@code dataDir} (absent or empty) from the template, building the template first when
   * the cache has none. What only has to be on disk before the stack is declared up — the fsync of
   * the copied files, the cache entry of a new template — runs in the background.
   *
   * @param durable whether the new cluster must be fsynced ({@code fsync} is on for it)
   * @return the background work; join it before reporting the stack up
   */
  public CompletableFuture<Void> createCluster(Path dataDir, boolean durable) {
    removeIfEmpty(dataDir);
    Optional<Path> cached = Files.exists(dataDir) ? Optional.empty() : cached();
    if (cached.isPresent()) {
      if (copy(cached.get(), dataDir) && SystemIdentifier.renew(dataDir)) {
        return durable
            ? CompletableFuture.runAsync(() -> fsyncTree(dataDir), BACKGROUND)
            : CompletableFuture.completedFuture(null);
      }
      // A template the user damaged (or a copy that failed half-way): initdb instead.
      deleteTree(dataDir);
    }
    initdb(dataDir);
    Path build = snapshot(dataDir);
    // initdb ran without its own sync (--no-sync), which would hold the start for as long as the
    // copy's: the new cluster is synced here instead, beside the server's start.
    CompletableFuture<Void> synced =
        durable
            ? CompletableFuture.runAsync(() -> fsyncTree(dataDir), BACKGROUND)
            : CompletableFuture.completedFuture(null);
    CompletableFuture<Void> published =
        build == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(() -> publish(build), BACKGROUND);
    return CompletableFuture.allOf(synced, published);
  }

  private static void removeIfEmpty(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isEmpty()) {
        Files.delete(dir);
      }
    } catch (IOException e) {
      // absent, or not ours to judge: initdb says what is wrong with it
    }
  }

  private void initdb(Path dataDir) {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("initdb").toString());
    command.add("-D");
    command.add(dataDir.toString());
    command.addAll(initdbOptions);
    // Not among the options the template is keyed by: it changes when the files reach the disk,
    // not what they hold. createCluster syncs them.
    command.add("--no-sync");
    Exec.Result r = runAs.exec(command.toArray(String[]::new)).timeout(Duration.ofMinutes(5)).run();
    if (!r.ok()) {
      throw StrataException.failed(
          "initdb failed: " + r.describeFailure(),
          "fix the cause above, remove " + dataDir + " and run strata up again",
          null);
    }
  }

  /**
   * Copies the fresh cluster in {@code dataDir} to a private build folder beside the cache entry,
   * before the stack's server changes it. A cache that cannot be written costs only speed, never
   * the stack: it is skipped.
   *
   * @return the build folder, or null when there is none
   */
  private Path snapshot(Path dataDir) {
    Path build = root.resolve(key() + ".build-" + UUID.randomUUID());
    try {
      Files.createDirectories(root);
      try {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
      } catch (IOException | UnsupportedOperationException e) {
        // Not ours to tighten (a shared XDG_CACHE_HOME): the templates hold no secret anyway.
      }
      if (!copy(dataDir, build)) {
        deleteTree(build);
        return null;
      }
      return build;
    } catch (IOException | UncheckedIOException | StrataException e) {
      deleteTree(build);
      return null;
    }
  }

  /** Writes the build folder to disk and renames it into place, unless another stack was first. */
  private void publish(Path build) {
    Path entry = root.resolve(key());
    try {
      Files.writeString(
          build.resolve("strata-template.txt"),
          "A cluster template of Strata (initdb "
              + String.join(" ", initdbOptions)
              + "); never started, no passwords. `strata cache clear` removes it.\n",
          StandardCharsets.UTF_8);
      fsyncTree(build);
      try {
        Files.move(build, entry, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException
          | DirectoryNotEmptyException
          | AtomicMoveNotSupportedException e) {
        deleteTree(build); // another stack stored it first
      }
      fsync(root);
    } catch (IOException | UncheckedIOException | StrataException e) {
      deleteTree(build);
    }
  }

  /**
   * {@code cp -a --reflink=auto --sparse=always}: a reflink where the filesystem shares blocks,
   * else a copy that leaves runs of zeros as holes. Most of a fresh cluster's first WAL segment (16
   * MB of its 39) is zeros: it reads back the same, and PostgreSQL's writes there allocate blocks
   * as they go, so the copy writes only what holds data.
   */
  private static boolean copy(Path from, Path to) {
    return Exec.of("cp", "-a", "--reflink=auto", "--sparse=always", from.toString(), to.toString())
        .timeout(Duration.ofMinutes(5))
        .run()
        .ok();
  }

  /**
   * Writes every file and folder of {@code root} to disk, several at once: a cluster copied by
   * {@code cp} sits in the page cache until then, and PostgreSQL itself fsyncs only what it writes.
   */
  public static void fsyncTree(Path root) {
    List<Path> paths;
    try (Stream<Path> all = Files.walk(root)) {
      paths = all.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int slice = i;
        done.add(
            pool.submit(
                () -> {
                  for (int j = slice; j < paths.size(); j += 4) {
                    fsync(paths.get(j));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof UncheckedIOException u
          ? u
          : new UncheckedIOException(new IOException(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted while syncing " + root));
    } finally {
      pool.shutdown();
    }
  }

  private static void fsync(Path path) {
    if (Files.isSymbolicLink(path)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot delete " + root + ": " + e.getMessage(), "delete it by hand");
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
