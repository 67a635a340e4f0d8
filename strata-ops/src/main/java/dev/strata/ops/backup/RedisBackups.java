package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.Ports;
import dev.strata.ops.process.Wait;
import dev.strata.ops.stack.Stack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Backups of the stack's Redis: {@code BGSAVE}, a wait until Redis reports the snapshot written,
 * and a copy of the RDB file into {@code redis/} of the repository folder, gzip-compressed and
 * encrypted with the repository's passphrase (openssl aes-256-cbc, PBKDF2, as {@code strata dump}
 * does), so one secret opens everything. They are listed with the PostgreSQL backups and expired
 * with them; a restore starts a scratch Redis from one, or replaces the stack's data.
 */
public final class RedisBackups {
  // Milliseconds: two snapshots in one second must not share a name.
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmssSSS");
  private static final String SUFFIX = ".rdb.gz.enc";
  private static final String PLAIN_SUFFIX = ".rdb.gz";

  /** One Redis backup in the repository. */
  public record RedisBackup(String name, Path file, Instant at, long bytes) {}

  private final ComponentContext context;
  private final PgBackRest engine;
  private final Consumer<String> progress;

  public RedisBackups(ComponentContext context, Consumer<String> progress) {
    this.context = context;
    this.engine = new PgBackRest(context);
    this.progress = progress;
  }

  /** {@code redis/} in the repository folder. */
  public Path dir() {
    return engine.repository().resolve("redis");
  }

  private Instance redis() {
    return context.topology().first(Kind.REDIS);
  }

  /** Takes a snapshot of the stack's Redis into the repository. */
  public RedisBackup backup() {
    engine.prepare();
    ConfigFiles.createDirectories(dir());
    BackupJournal journal = new BackupJournal(engine);
    Instant started = Instant.now();
    String attempt = journal.started("redis");
    try {
      RedisBackup made = snapshotAndCopy();
      journal.ended(attempt, "redis", started, true, made.name(), "");
      if (context.spec().backup().retentionRedis().isPresent()) {
        List<String> removed = expire(Optional.empty());
        if (!removed.isEmpty()) {
          progress.accept(
              "removed the Redis backups past backup.retention_redis ("
                  + context.spec().backup().retentionRedis().get()
                  + " days): "
                  + removed);
        }
      }
      return made;
    } catch (RuntimeException e) {
      journal.ended(attempt, "redis", started, false, "", String.valueOf(e.getMessage()));
      throw e;
    }
  }

  private RedisBackup snapshotAndCopy() {
    Instance redis = redis();
    String before = info("rdb_last_save_time");
    String savesBefore = info("rdb_saves");
    progress.accept("asking " + redis.id() + " for a snapshot (BGSAVE)");
    Exec.Result r = cli(redis.port(), "BGSAVE").run();
    if (!r.ok() && !r.output().contains("already in progress")) {
      throw StrataException.failed(
          "Redis refused BGSAVE: " + r.describeFailure(), "see strata logs " + redis.id(), null);
    }
    // rdb_saves counts every snapshot (the clock of rdb_last_save_time has whole seconds).
    boolean done =
        Wait.until(
            () ->
                info("rdb_bgsave_in_progress").equals("0")
                    && (!info("rdb_saves").equals(savesBefore)
                        || !info("rdb_last_save_time").equals(before)),
            Duration.ofHours(2));
    if (!done || !info("rdb_last_bgsave_status").equals("ok")) {
      throw StrataException.failed(
          "Redis could not write its snapshot (rdb_last_bgsave_status "
              + info("rdb_last_bgsave_status")
              + ")",
          "see strata logs " + redis.id() + " (a full disk? no memory to fork?)",
          null);
    }
    Path rdb = context.folder(redis).resolve("data").resolve(configValue("dbfilename", "dump.rdb"));
    String name = "redis-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP);
    Path plain = dir().resolve(name + PLAIN_SUFFIX + ".tmp");
    try (InputStream in = Files.newInputStream(rdb);
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(plain))) {
      in.transferTo(out);
    } catch (IOException e) {
      deleteQuietly(plain);
      throw new UncheckedIOException("cannot copy " + rdb, e);
    }
    Path file =
        dir().resolve(name + (context.spec().backup().encryption() ? SUFFIX : PLAIN_SUFFIX));
    if (context.spec().backup().encryption()) {
      new Dumps(context).openssl("-e", plain, file);
      deleteQuietly(plain);
    } else {
      move(plain, file);
    }
    RedisBackup made = describe(file);
    progress.accept("redis backup " + made.name() + " done (" + made.bytes() + " bytes)");
    return made;
  }

  /** The Redis backups, oldest first. */
  public List<RedisBackup> list() {
    if (!Files.isDirectory(dir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir())) {
      return s.filter(
              p -> p.getFileName().toString().matches("redis-\\d{8}-\\d{9}\\.rdb\\.gz(\\.enc)?"))
          .sorted(Comparator.naturalOrder())
          .map(RedisBackups::describe)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir(), e);
    }
  }

  /**
   * Removes the Redis backups past their retention: older than {@code backup.retention_redis} days,
   * or without it older than the oldest PostgreSQL backup kept ({@code oldestKept}); the newest
   * Redis backup is always kept.
   *
   * @return the names removed
   */
  public List<String> expire(Optional<Instant> oldestKept) {
    List<String> removed = new ArrayList<>();
    for (RedisBackup b :
        expired(list(), oldestKept, context.spec().backup().retentionRedis(), Instant.now())) {
      deleteQuietly(b.file());
      removed.add(b.name());
    }
    return removed;
  }

  /**
   * The backups of {@code all} (oldest first) that the retention removes at {@code now}: older than
   * {@code days} when set, else than {@code oldestKept}; never the newest.
   */
  static List<RedisBackup> expired(
      List<RedisBackup> all, Optional<Instant> oldestKept, Optional<Integer> days, Instant now) {
    Optional<Instant> cutoff =
        days.map(d -> now.minus(java.time.Duration.ofDays(d))).or(() -> oldestKept);
    List<RedisBackup> out = new ArrayList<>();
    for (int i = 0; i < all.size() - 1; i++) {
      if (cutoff.isPresent() && all.get(i).at().isBefore(cutoff.get())) {
        out.add(all.get(i));
      }
    }
    return out;
  }

  /** The backup called {@code name}, or the newest when empty. */
  public RedisBackup find(Optional<String> name) {
    List<RedisBackup> all = list();
    if (all.isEmpty()) {
      throw StrataException.environment(
          "there is no Redis backup to restore from", "take one first: strata backup redis");
    }
    if (name.isEmpty()) {
      return all.get(all.size() - 1);
    }
    return all.stream()
        .filter(b -> b.name().equals(name.get()))
        .findFirst()
        .orElseThrow(
            () ->
                StrataException.badInput(
                    "no Redis backup " + name.get(),
                    "name one of " + all.stream().map(RedisBackup::name).toList()));
  }

  /** Decrypts and decompresses {@code b} into {@code rdb}, owned by the servers' user. */
  private void unpack(RedisBackup b, Path rdb) {
    Path gz = b.file();
    Path tmp = null;
    if (b.file().getFileName().toString().endsWith(".enc")) {
      tmp = rdb.resolveSibling(rdb.getFileName() + ".gz.tmp");
      new Dumps(context).openssl("-d", b.file(), tmp);
      gz = tmp;
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz));
        OutputStream out = Files.newOutputStream(rdb)) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack " + b.file(), e);
    } finally {
      if (tmp != null) {
        deleteQuietly(tmp);
      }
    }
    context.runAs().give(rdb);
  }

  /** A scratch Redis started from a backup. */
  public record ScratchRedis(String id, Path folder, int port, String backup) {}

  /**
   * Starts a scratch Redis from {@code b} in {@code .strata/restores/<id>} on a free port, with the
   * stack's users and passwords, plain TCP on the stack's bind address, persistence off.
   */
  public ScratchRedis restoreScratch(RedisBackup b) {
    String id = "redis-restore-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP);
    Path folder = new Restores(context).root().resolve(id);
    Path data = folder.resolve("data");
    try {
      ConfigFiles.createDirectories(data);
      unpack(b, data.resolve("dump.rdb"));
      int port = Ports.free(context.spec().security().bind());
      Files.copy(context.folder(redis()).resolve("users.acl"), folder.resolve("users.acl"));
      String conf =
          "# Written by strata restore redis: a scratch copy beside the stack.\n"
              + "daemonize yes\nbind "
              + context.spec().security().bind()
              + "\nport "
              + port
              + "\npidfile "
              + folder.resolve("redis.pid")
              + "\nlogfile "
              + folder.resolve("redis.log")
              + "\ndir "
              + data
              + "\ndbfilename dump.rdb\naclfile "
              + folder.resolve("users.acl")
              + "\nappendonly no\nsave \"\"\nprotected-mode yes\n";
      ConfigFiles.write(folder.resolve("redis.conf"), conf, "rw-------");
      context.runAs().give(folder);
      Exec.Result r =
          context
              .runAs()
              .exec(
                  context.tools().redisServer().toString(), folder.resolve("redis.conf").toString())
              .run();
      if (!r.ok() || !Wait.until(() -> plainCli(port, "PING").run().ok(), Duration.ofMinutes(10))) {
        throw StrataException.failed(
            "the scratch Redis did not start: "
                + dev.strata.ops.process.Logs.tail(folder.resolve("redis.log"), 10),
            "nothing was left running; see the log above",
            null);
      }
      return new ScratchRedis(id, folder, port, b.name());
    } catch (RuntimeException | IOException e) {
      new Restores(context).remove(id);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot prepare " + folder, io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Replaces the stack's Redis data with {@code b}: Redis is stopped, its data folder kept renamed,
   * the snapshot loaded with the append-only file off (Redis would otherwise start empty from a
   * missing AOF), the AOF rebuilt from memory when strata.yaml wants one, and the stack's Redis
   * started again as usual.
   *
   * @return the kept data folder
   */
  public Path restoreInPlace(Stack stack, RedisBackup b) {
    Instance redis = redis();
    Path folder = context.folder(redis);
    Path data = folder.resolve("data");
    Path kept =
        folder.resolve("data.before-restore-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP));
    progress.accept("stopping " + redis.id() + " to replace its data with " + b.name());
    stack.stop(redis.id());
    move(data, kept);
    try {
      ConfigFiles.createDirectories(data);
      context.runAs().give(data);
      unpack(b, data.resolve(configValue("dbfilename", "dump.rdb")));
      Exec.Result r =
          context
              .runAs()
              .exec(
                  context.tools().redisServer().toString(),
                  folder.resolve("redis.conf").toString(),
                  "--appendonly",
                  "no")
              .run();
      if (!r.ok()
          || !Wait.until(() -> cli(redis.port(), "PING").run().ok(), Duration.ofMinutes(10))) {
        throw StrataException.failed(
            "Redis did not start from " + b.name() + ": " + r.describeFailure(),
            "the old data was put back; see strata logs " + redis.id(),
            null);
      }
      if (context.spec().redis().appendOnly()) {
        check(cli(redis.port(), "CONFIG", "SET", "appendonly", "yes"));
        Wait.until(
            () ->
                info("aof_enabled").equals("1")
                    && info("aof_rewrite_in_progress").equals("0")
                    && info("aof_rewrite_scheduled").equals("0"),
            Duration.ofHours(1));
      }
      stack.stop(redis.id());
      stack.start(redis.id());
      return kept;
    } catch (RuntimeException e) {
      new PidFile(folder.resolve("redis.pid"), "redis-server").terminate(Duration.ofSeconds(60));
      try {
        Restores.deleteTree(data);
        move(kept, data);
        stack.start(redis.id());
      } catch (IOException | RuntimeException again) {
        progress.accept("the old Redis data is in " + kept + ": " + again.getMessage());
      }
      throw e;
    }
  }

  private String info(String field) {
    Exec.Result r = cli(redis().port(), "INFO", "persistence").run();
    return r.output()
        .lines()
        .filter(l -> l.startsWith(field + ":"))
        .map(l -> l.substring(field.length() + 1).strip())
        .findFirst()
        .orElse("");
  }

  private String configValue(String key, String fallback) {
    Exec.Result r = cli(redis().port(), "CONFIG", "GET", key).run();
    List<String> lines = r.output().lines().toList();
    return r.ok() && lines.size() >= 2 && !lines.get(1).isBlank() ? lines.get(1).strip() : fallback;
  }

  /** redis-cli as Strata's own user on the stack's Redis; the password through the environment. */
  private Exec cli(int port, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                context.tools().redisCli().toString(),
                "-h",
                redis().host(),
                "-p",
                Integer.toString(port),
                "--user",
                StackEnvs.REDIS_ADMIN_USER,
                "--no-auth-warning",
                "-e"));
    if (StackEnvs.redisTls(context.spec())) {
      command.addAll(List.of("--tls", "--cacert", context.dir().caFile().toString()));
    }
    command.addAll(List.of(args));
    return Exec.of(command)
        .env(
            "REDISCLI_AUTH",
            context.secrets().require(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER)))
        .timeout(Duration.ofSeconds(30));
  }

  /** redis-cli on a scratch copy: plain TCP, the same users. */
  private Exec plainCli(int port, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                context.tools().redisCli().toString(),
                "-h",
                context.spec().security().bind(),
                "-p",
                Integer.toString(port),
                "--user",
                StackEnvs.REDIS_ADMIN_USER,
                "--no-auth-warning",
                "-e"));
    command.addAll(List.of(args));
    return Exec.of(command)
        .env(
            "REDISCLI_AUTH",
            context.secrets().require(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER)))
        .timeout(Duration.ofSeconds(10));
  }

  private static void check(Exec e) {
    Exec.Result r = e.run();
    if (!r.ok()) {
      throw StrataException.failed("Redis refused: " + r.describeFailure(), "", null);
    }
  }

  private static RedisBackup describe(Path file) {
    String n = file.getFileName().toString();
    String name = n.substring(0, n.indexOf(".rdb"));
    Instant at =
        LocalDateTime.parse(name.substring("redis-".length()), STAMP).toInstant(ZoneOffset.UTC);
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (IOException e) {
      bytes = -1;
    }
    return new RedisBackup(name, file, at, bytes);
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + from + " to " + to, e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover temporary file is named by the caller's outcome.
    }
  }

  /** For the JSON of backup list. */
  public static Map<String, Object> toMap(RedisBackup b) {
    return Map.of("name", b.name(), "at", b.at().toString(), "bytes", b.bytes());
  }
}
