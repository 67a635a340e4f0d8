package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import dev.strata.core.spec.BackupSpec;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.PostgresServer;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine's pgBackRest, configured for one stack: the configuration Strata renders into {@code
 * .strata/pgbackrest.conf} (so an operator can run pgBackRest by hand with {@code --config}), the
 * settings it needs in postgresql.conf, and its commands, run as the servers' OS user.
 */
public final class PgBackRest {
  /** The stanza every Strata stack uses: one PostgreSQL cluster per repository. */
  public static final String STANZA = "strata";

  /** The secret holding the repository's passphrase. */
  public static final String CIPHER_SECRET = "pgbackrest.cipher";

  private final ComponentContext context;
  private final BackupSpec spec;

  public PgBackRest(ComponentContext context) {
    this.context = context;
    this.spec = context.spec().backup();
  }

  /** {@code .strata/pgbackrest.conf}. */
  public Path configFile() {
    return context.dir().root().resolve("pgbackrest.conf");
  }

  /** The repository folder. */
  public Path repository() {
    return context.dir().root().getParent().resolve(spec.path()).normalize();
  }

  /** Where the backups go, for messages: the local folder, or s3://bucket/path at the endpoint. */
  public String location() {
    if (spec.s3()) {
      BackupSpec.S3 s3 = spec.s3Settings();
      return "s3://" + s3.bucket() + s3.path() + " (" + s3.endpoint() + ")";
    }
    return repository().toString();
  }

  /** pgBackRest's own folder: its logs, locks and the async archive spool. */
  Path workDir() {
    return context.dir().root().resolve("pgbackrest");
  }

  /** The settings archiving needs in postgresql.conf; none when backups are off. */
  public static Map<String, String> postgresSettings(ComponentContext context) {
    if (!context.spec().backup().enabled()) {
      return Map.of();
    }
    PgBackRest engine = new PgBackRest(context);
    Map<String, String> s = new LinkedHashMap<>();
    s.put("wal_level", "replica");
    s.put("archive_mode", "on");
    s.put("archive_command", engine.archiveCommand(Optional.empty()));
    s.put("archive_timeout", context.spec().backup().archiveTimeout().toSeconds() + "s");
    return s;
  }

  /**
   * The archive_command of one server. PostgreSQL passes {@code %p} relative to the data directory
   * of the server that archives, and pgBackRest resolves a relative path against {@code pg1-path}:
   * each node of a Patroni cluster names its own data directory, or a promoted replica would push
   * the segment of the same name from another node's pg_wal.
   *
   * @param dataDir the archiving server's data directory; empty for the stanza's pg1-path
   */
  public String archiveCommand(Optional<Path> dataDir) {
    return binary()
        + " --config="
        + quote(configFile().toString())
        + " --stanza="
        + STANZA
        + dataDir.map(d -> " --pg1-path=" + quote(d.toString())).orElse("")
        + " archive-push %p";
  }

  /** The configuration file's text, from strata.yaml and the live PostgreSQL primary. */
  String render() {
    Map<String, String> global = new LinkedHashMap<>();
    if (spec.s3()) {
      global.putAll(s3Settings(spec.s3Settings()));
    } else {
      global.put("repo1-path", repository().toString());
    }
    if (spec.encryption()) {
      global.put("repo1-cipher-type", "aes-256-cbc");
      global.put("repo1-cipher-pass", context.secrets().get(CIPHER_SECRET));
    }
    global.put("repo1-retention-full-type", "count");
    // A GFS policy or a pinned backup is beyond pgBackRest's count: Strata expires (Retention).
    global.put(
        "repo1-retention-full",
        strataExpires() ? "9999999" : Integer.toString(spec.retentionFull()));
    spec.retentionDiff().ifPresent(d -> global.put("repo1-retention-diff", Integer.toString(d)));
    global.put("compress-type", spec.compress());
    global.put("process-max", Integer.toString(processMax()));
    global.put("archive-async", "y");
    global.put("spool-path", workDir().resolve("spool").toString());
    global.put("archive-push-queue-max", spec.archiveQueueMax().megabytes() + "MiB");
    global.put("archive-timeout", "60");
    global.put("log-path", workDir().resolve("log").toString());
    global.put("lock-path", workDir().resolve("lock").toString());
    global.put("log-level-console", "warn");
    global.put("log-level-file", "info");
    global.put("start-fast", "y");
    global.put("delta", "y");
    // Strata's own record in the data directory (root's when Strata runs as root): not data.
    global.put("exclude", "strata-bootstrap.properties");
    Map<String, String> stanza = new LinkedHashMap<>();
    if (context.spec().postgres().highlyAvailable()) {
      // Every Patroni node is a pg host of the one stanza: pgBackRest asks each which is the
      // primary and backs up from it, so a backup after a failover continues the same stanza.
      List<Instance> nodes = context.topology().of(Kind.POSTGRES);
      for (int i = 0; i < nodes.size(); i++) {
        pgHost(stanza, i + 1, context.folder(nodes.get(i)), nodes.get(i).port());
      }
    } else {
      Path folder = context.dir().component(Kind.POSTGRES.folder());
      pgHost(stanza, 1, folder, context.postgresPrimary().port());
    }
    StringBuilder out =
        new StringBuilder(
            "# Written by strata from strata.yaml (backup:); changes here are overwritten.\n"
                + "# Run pgBackRest by hand as the servers' user with --config="
                + configFile()
                + " --stanza="
                + STANZA
                + "\n[global]\n");
    global.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    out.append("\n[").append(STANZA).append("]\n");
    stanza.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    return out.toString();
  }

  /** {@code pgN-path}, {@code pgN-port}, {@code pgN-socket-path} and {@code pgN-user}. */
  private void pgHost(Map<String, String> stanza, int n, Path folder, int port) {
    stanza.put("pg" + n + "-path", PostgresServer.dataDir(folder).toString());
    stanza.put("pg" + n + "-port", Integer.toString(port));
    stanza.put("pg" + n + "-socket-path", context.socketDir().toString());
    stanza.put("pg" + n + "-user", context.runAs().user());
  }

  /**
   * pgBackRest's S3 settings. The endpoint's host is also the name its TLS certificate is checked
   * against (so a local server is {@code localhost}, not 127.0.0.1); the I/O timeout is longer than
   * pgBackRest's 60 s because a slow S3-compatible server otherwise fails large uploads.
   */
  private Map<String, String> s3Settings(BackupSpec.S3 s3) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("repo1-type", "s3");
    m.put("repo1-path", s3.path());
    m.put("repo1-s3-bucket", s3.bucket());
    String host = s3.endpoint();
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.substring(colon + 1).matches("\\d+")) {
      m.put("repo1-s3-endpoint", host.substring(0, colon));
      m.put("repo1-storage-port", host.substring(colon + 1));
    } else {
      m.put("repo1-s3-endpoint", host);
    }
    m.put("repo1-s3-region", s3.region());
    m.put("repo1-s3-key", s3.key());
    m.put("repo1-s3-key-secret", s3.secret());
    m.put("repo1-s3-uri-style", s3.pathStyle() ? "path" : "host");
    if (!s3.caFile().isBlank()) {
      m.put(
          "repo1-storage-ca-file",
          context.dir().root().getParent().resolve(s3.caFile()).normalize().toString());
    }
    m.put("io-timeout", "180");
    return m;
  }

  /** A record in the local folder that the stanza exists in this S3 repository. */
  private Path s3Marker() {
    BackupSpec.S3 s3 = spec.s3Settings();
    String id = (s3.endpoint() + "/" + s3.bucket() + s3.path()).replaceAll("[^A-Za-z0-9.-]", "_");
    return repository().resolve("strata-s3-stanza-" + id);
  }

  /** Records that stanza-create succeeded (for S3, where no local folder says so). */
  void stanzaCreated() {
    if (spec.s3()) {
      ConfigFiles.write(s3Marker(), "created\n", "rw-------");
    }
  }

  /** Whether Strata, not pgBackRest's count, decides which full backups expire. */
  boolean strataExpires() {
    return spec.gfs() || !new KeptBackups(this).pinned().isEmpty();
  }

  private int processMax() {
    return spec.processMax().orElse(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
  }

  /**
   * Writes the configuration and pgBackRest's folders, owned by the servers' user. Folders are
   * given only when created: pgBackRest writes everything in them as that user, and a large
   * repository must not be walked at every command.
   */
  public void prepare() {
    requireInstalled();
    for (Path dir :
        List.of(
            repository(),
            workDir(),
            workDir().resolve("log"),
            workDir().resolve("lock"),
            workDir().resolve("spool"))) {
      if (!Files.isDirectory(dir)) {
        ConfigFiles.createDirectories(dir);
        context.runAs().give(dir);
      }
    }
    ConfigFiles.write(configFile(), render(), "rw-------");
    context.runAs().give(configFile());
  }

  /**
   * The machine's pgbackrest when backups are on; {@code strata up} installs its Debian package
   * when it is missing (as it does the servers'), other commands name the fix.
   */
  public static Optional<Path> requireProgram(StrataSpec spec, boolean install) {
    if (!spec.backup().enabled()) {
      return Optional.empty();
    }
    return Optional.of(
        Binaries.require(List.of(new Binaries.Program("pgbackrest", "pgbackrest")), install)
            .get("pgbackrest"));
  }

  /** The installed pgbackrest; the error names the package to install. */
  private static Path binary() {
    return Binaries.require(List.of(new Binaries.Program("pgbackrest", "pgbackrest")), false)
        .get("pgbackrest");
  }

  private static void requireInstalled() {
    binary();
  }

  /**
   * Stops this stack's asynchronous archive-push / archive-get processes once PostgreSQL is down:
   * with the repository unreachable (S3 down) one keeps retrying long after the server that started
   * it stopped.
   */
  public static void stopAsync(ComponentContext context) {
    String config = "--config=" + new PgBackRest(context).configFile();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().command().orElse("").endsWith("/pgbackrest"))
        .filter(
            p -> {
              List<String> args = List.of(p.info().arguments().orElse(new String[0]));
              return args.contains(config) && args.stream().anyMatch(a -> a.endsWith(":async"));
            })
        .forEach(ProcessHandle::destroy);
  }

  /** Whether the stanza exists in the repository. */
  public boolean stanzaExists() {
    if (spec.s3()) {
      return Files.exists(s3Marker());
    }
    return Files.isDirectory(repository().resolve("backup").resolve(STANZA))
        && Files.isDirectory(repository().resolve("archive").resolve(STANZA));
  }

  /** Runs {@code pgbackrest --config=… --stanza=strata COMMAND ARGS…} as the servers' user. */
  public Exec command(String command, List<String> args) {
    List<String> line = new ArrayList<>();
    line.add(binary().toString());
    line.add("--config=" + configFile());
    line.add("--stanza=" + STANZA);
    line.addAll(args);
    line.add(command);
    return context.runAs().exec(line.toArray(String[]::new)).timeout(Duration.ofHours(12));
  }

  /**
   * Runs a command and returns its output.
   *
   * @throws StrataException naming what failed, pgBackRest's own words and {@code fix}
   */
  public String check(String what, String fix, String command, String... args) {
    Exec.Result r = command(command, List.of(args)).run();
    if (!r.ok()) {
      throw StrataException.failed(what + " failed: " + explain(r), fix, null);
    }
    return r.output();
  }

  /** pgBackRest's message, with a hint for the failures users meet. */
  static String explain(Exec.Result r) {
    String out = r.output().strip();
    boolean cipher =
        out.lines()
            .filter(l -> l.startsWith("ERROR") || l.contains("Error]"))
            .anyMatch(l -> l.contains("decrypt") || l.contains("FormatError"));
    String errors =
        out.lines()
            .filter(l -> !l.contains(" INFO: ") && !l.isBlank())
            .collect(java.util.stream.Collectors.joining("\n"));
    if (cipher) {
      return errors
          + "\n(the repository's passphrase does not match: "
          + CIPHER_SECRET
          + " in .strata/secrets must be the one the repository was created with)";
    }
    return errors.isEmpty() ? "pgbackrest exited with code " + r.exitCode() : errors;
  }

  private static String quote(String path) {
    return path.matches("[A-Za-z0-9_./-]+") ? path : "\"" + path + "\"";
  }
}
