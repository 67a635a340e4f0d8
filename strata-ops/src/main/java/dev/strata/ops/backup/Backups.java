package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.Exec;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The stack's backups, driven through pgBackRest: the stanza created at the first {@code up}, full,
 * differential and incremental backups, the list, expiry, verification, restore points and
 * non-destructive restores. Strata only configures and runs pgBackRest; the repository is
 * pgBackRest's own and can be used by hand with {@code .strata/pgbackrest.conf}.
 */
public final class Backups {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final ComponentContext context;
  private final PgBackRest engine;
  private final Consumer<String> progress;

  public Backups(ComponentContext context, Consumer<String> progress) {
    this.context = context;
    this.engine = new PgBackRest(context);
    this.progress = progress;
  }

  public PgBackRest engine() {
    return engine;
  }

  /**
   * After {@code strata up}: renders the configuration (the port may have changed) and creates the
   * stanza on first use, so WAL archiving works from the first segment.
   */
  public static void afterUp(ComponentContext context, Consumer<String> progress) {
    if (!context.spec().backup().enabled()) {
      return;
    }
    new Backups(context, progress).ensureStanza();
  }

  /** Renders the configuration and creates the stanza when the repository has none. */
  void ensureStanza() {
    requireEnabled();
    engine.prepare();
    if (!engine.stanzaExists()) {
      createStanza();
    }
  }

  /**
   * stanza-create, again while the archiver holds its lock: a new cluster (a Patroni cluster's
   * bootstrap and base backups, above all) already archives WAL, and an archive-push that runs
   * before the stanza exists holds the archive lock while it retries.
   */
  private void createStanza() {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        engine.check(
            "creating the backup repository (pgbackrest stanza-create)",
            context.spec().backup().s3()
                ? "check the s3_* keys of strata.yaml (endpoint, bucket, credentials, CA)"
                : "check that " + engine.repository() + " is writable by the servers' user",
            "stanza-create");
        engine.stanzaCreated();
        return;
      } catch (dev.strata.core.StrataException e) {
        boolean locked = String.valueOf(e.getMessage()).contains("unable to acquire lock");
        if (!locked || System.nanoTime() > deadline || engine.stanzaExists()) {
          if (engine.stanzaExists()) {
            return;
          }
          throw e;
        }
        dev.strata.ops.process.Wait.until(() -> false, java.time.Duration.ofMillis(500));
      }
    }
  }

  /**
   * Takes a backup.
   *
   * @param type full, diff or incr (pgBackRest takes a full backup when none exists yet)
   * @return the new set
   */
  public BackupSet backup(String type) {
    return backup(type, Optional.empty());
  }

  /**
   * Takes a backup and, with a reason, pins it against expiry (a backup before a migration).
   *
   * @param keep why the backup is kept whatever the retention; empty for a usual backup
   */
  public BackupSet backup(String type, Optional<String> keep) {
    if (!List.of("full", "diff", "incr").contains(type)) {
      throw StrataException.badInput(
          "no backup type '" + type + "'", "use strata backup full, diff or incr");
    }
    ensureStanza();
    checkpointOnCurrentTimeline();
    Heartbeat.beat(context, "backup " + type);
    progress.accept(
        "taking a " + type + " backup of the stack's PostgreSQL into " + engine.location());
    BackupJournal journal = new BackupJournal(engine);
    Instant started = Instant.now();
    String attempt = journal.started(type);
    long start = System.nanoTime();
    BackupSet made;
    try {
      engine.check(
          "the " + type + " backup",
          "fix the cause above and run strata backup "
              + type
              + " again; a failed backup is"
              + " never used for a restore",
          "backup",
          "--type=" + type);
      List<BackupSet> sets = list();
      made = sets.get(sets.size() - 1);
    } catch (RuntimeException e) {
      journal.ended(attempt, type, started, false, "", String.valueOf(e.getMessage()));
      throw e;
    }
    journal.ended(attempt, type, started, true, made.label(), "");
    keep.ifPresent(why -> new KeptBackups(engine).pin(made.label(), why));
    if (engine.strataExpires()) {
      expire();
    }
    progress.accept(
        "backup "
            + made.label()
            + " done in "
            + (System.nanoTime() - start) / 1_000_000
            + " ms ("
            + made.repositorySize()
            + " bytes in the repository)");
    return made;
  }

  /**
   * A node promoted moments ago (a failover, a switchover) writes WAL on its new timeline while
   * pg_control still names the old one until its first checkpoint ends. pgBackRest reads pg_control
   * before it starts the backup and refuses the mismatch ({@code [058] WAL timeline 2 does not
   * match pg_control timeline 1}), so Strata checkpoints first when the two differ.
   */
  private void checkpointOnCurrentTimeline() {
    String timelines =
        onPrimary(
                "SELECT CASE WHEN pg_is_in_recovery() THEN '' ELSE"
                    + " (SELECT timeline_id FROM pg_control_checkpoint()) || ' ' || ('x' ||"
                    + " substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END;")
            .strip();
    String[] parts = timelines.split(" ");
    if (parts.length == 2 && !parts[0].equals(parts[1])) {
      progress.accept(
          "the primary was promoted to timeline "
              + parts[1]
              + " and has not checkpointed since: running CHECKPOINT first");
      onPrimary("CHECKPOINT;");
    }
  }

  /** Runs {@code sql} as the superuser on the primary, in the postgres database. */
  private String onPrimary(String sql) {
    return Heartbeat.run(context, context.socketDir(), context.postgresPrimary().port(), sql);
  }

  /** Every backup in the repository, oldest first; empty when none was taken. */
  public List<BackupSet> list() {
    requireEnabled();
    engine.prepare();
    if (!engine.stanzaExists()) {
      return List.of();
    }
    return BackupSet.parse(info());
  }

  /** The WAL the archive holds ({@code first-last} segment), if any. */
  public Optional<String> archiveRange() {
    return engine.stanzaExists() ? BackupSet.archiveRange(info()) : Optional.empty();
  }

  private String info() {
    return engine.check(
        "reading the backup repository (pgbackrest info)",
        "check " + engine.repository() + " and the passphrase in .strata/secrets",
        "info",
        "--output=json");
  }

  /**
   * Applies the retention of strata.yaml now: older full backups, their differential and
   * incremental backups and their WAL go. With a GFS policy or a pinned backup Strata picks the
   * full backups to expire ({@link Retention}) and has pgBackRest expire each ({@code expire
   * --set}); otherwise pgBackRest's count does it alone.
   */
  public String expire() {
    ensureStanza();
    StringBuilder out = new StringBuilder();
    int archive = 0; // 0: pgBackRest's own archive retention (that of its full count)
    if (engine.strataExpires()) {
      var spec = context.spec().backup();
      Retention policy =
          new Retention(
              spec.retentionFull(),
              spec.retentionDaily(),
              spec.retentionWeekly(),
              spec.retentionMonthly(),
              new KeptBackups(engine).pinned().keySet());
      List<BackupSet> fulls = list().stream().filter(b -> b.type().equals("full")).toList();
      Instant now = Instant.now();
      java.util.Set<String> keep = policy.keep(fulls, now);
      archive =
          policy.continuousWal(fulls.stream().filter(b -> keep.contains(b.label())).toList(), now);
      for (BackupSet b : fulls) {
        if (!keep.contains(b.label())) {
          progress.accept("expiring " + b.label() + " (outside the retention policy)");
          out.append(
              engine.check(
                  "expiring " + b.label(),
                  "see the cause above",
                  "expire",
                  "--set=" + b.label(),
                  "--log-level-console=info"));
        }
      }
    }
    List<String> args = new ArrayList<>(List.of("--log-level-console=info"));
    if (archive > 0) {
      args.add("--repo1-retention-archive-type=full");
      args.add("--repo1-retention-archive=" + archive);
    }
    out.append(
        engine.check(
            "expiring old backups", "see the cause above", "expire", args.toArray(String[]::new)));
    return out.toString();
  }

  /** The pinned backups and why each is kept. */
  public java.util.Map<String, String> kept() {
    return new KeptBackups(engine).pinned();
  }

  /** Checks the repository's files (checksums of every backup file and archived WAL). */
  public String verify() {
    ensureStanza();
    Exec.Result r = engine.command("verify", List.of("--log-level-console=info")).run();
    if (!r.ok() || r.output().contains("ERROR")) {
      throw StrataException.failed(
          "the repository did not verify: " + PgBackRest.explain(r),
          "take a new full backup (strata backup full); keep the damaged sets until it succeeds",
          null);
    }
    return r.output();
  }

  /**
   * Creates a named restore point and archives the WAL holding it, so {@code restore --to NAME}
   * works at once.
   */
  public Instant restorePoint(String name) {
    RestoreTarget t = RestoreTarget.parse(name);
    if (t.kind() != RestoreTarget.Kind.NAME) {
      throw StrataException.badInput(
          "'" + name + "' is not a restore point name", "use letters, digits, _ . : -");
    }
    ensureStanza();
    String at =
        onPrimary(
            "SELECT pg_create_restore_point('"
                + name
                + "') IS NOT NULL;"
                + " SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00';");
    archiveNow();
    return Heartbeat.parse(at.strip());
  }

  /**
   * Makes everything committed so far restorable: a heartbeat (a commit after any earlier time),
   * then pgBackRest's check, which switches to a new WAL segment and waits until it is archived.
   */
  void archiveNow() {
    Heartbeat.beat(context, "archive");
    engine.check(
        "archiving the current WAL (pgbackrest check)",
        "WAL archiving is failing: see PostgreSQL's log (strata logs postgres) and "
            + engine.repository(),
        "check");
  }

  /**
   * Restores into a new data directory beside the stack and starts it on a free port; the stack is
   * not touched.
   *
   * @param set the backup set to restore, or empty for the one pgBackRest picks for the target
   */
  public RestoredInstance restore(RestoreTarget target, Optional<String> set) {
    return restore("restore-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP), target, set);
  }

  RestoredInstance restore(String id, RestoreTarget target, Optional<String> set) {
    List<BackupSet> sets = list();
    requireRestorable(target, sets, set);
    if (target.kind() != RestoreTarget.Kind.LSN) {
      archiveNow();
    }
    progress.accept("restoring " + target + " into " + new Restores(context).root().resolve(id));
    return new Restores(context).restore(id, target, set);
  }

  static void requireRestorable(RestoreTarget target, List<BackupSet> sets, Optional<String> set) {
    if (sets.isEmpty()) {
      throw StrataException.environment(
          "there is no backup to restore from", "take one first: strata backup full");
    }
    if (set.isPresent() && sets.stream().noneMatch(s -> s.label().equals(set.get()))) {
      throw StrataException.badInput(
          "no backup set " + set.get(),
          "name one of " + sets.stream().map(BackupSet::label).toList() + " (strata backup list)");
    }
    if (target.time().isPresent()) {
      Instant t = target.time().get();
      Instant now = Instant.now();
      if (t.isAfter(now)) {
        throw StrataException.badInput(
            "the target " + t + " is in the future (it is now " + now + ")",
            "restore to a past time, or use --to latest");
      }
      Instant firstRestorable = sets.get(0).stop();
      if (t.isBefore(firstRestorable)) {
        throw StrataException.badInput(
            "the target "
                + t
                + " is before the end of the oldest backup ("
                + sets.get(0).label()
                + " ended at "
                + firstRestorable
                + "): nothing can be restored to it",
            "choose a time after " + firstRestorable);
      }
    }
  }

  /** Stops and deletes a restored copy. */
  public void removeRestore(String id) {
    new Restores(context).remove(id);
  }

  /** Every restored copy's id. */
  public List<String> restores() {
    List<String> ids = new ArrayList<>();
    new Restores(context).folders().forEach(f -> ids.add(f.getFileName().toString()));
    return ids;
  }

  private void requireEnabled() {
    if (!context.spec().backup().enabled()) {
      throw StrataException.badInput(
          "backups are off in strata.yaml (backup.enabled: false)",
          "set backup.enabled: true and run strata up --restart");
    }
  }

  ComponentContext context() {
    return context;
  }
}
