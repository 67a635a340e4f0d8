package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.spec.SpecLoader;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.Stack;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Backups on a real stack, with pgBackRest as users get it: on by default with no backup section,
 * an encrypted repository, full → diff → incr, point-in-time and named restores beside the running
 * stack with exact rows, a drill that finds a planted wrong check, and the faults users meet. One
 * stack for the class; the tests run in order because each builds on the backups before it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class BackupsIT {
  private static final String YAML =
      "postgres:\n  port: 0\n  memory: 256mb\npooler:\n  port: 0\nredis:\n  port: 0\n"
          + TestProjects.MONITORING_OFF;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path project;

  @BeforeAll
  static void up() throws IOException {
    project = Files.createTempDirectory("strata-backups-");
    Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(project.resolve("strata.yaml"), YAML);
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    sql("CREATE TABLE t (id int PRIMARY KEY, at timestamptz DEFAULT now())");
  }

  @AfterAll
  static void destroy() {
    if (project != null) {
      Cli.run(project, "destroy", "--yes");
      StackFiles.deleteTree(project);
    }
  }

  @Test
  @Order(10)
  void archiving_is_on_by_default_into_an_encrypted_repository() throws IOException {
    assertThat(query("SHOW archive_mode")).isEqualTo("on");
    String conf = Files.readString(project.resolve(".strata/pgbackrest.conf"));
    assertThat(conf).contains("repo1-cipher-type=aes-256-cbc").contains("repo1-cipher-pass=");
    // The repository's own files are ciphertext: pgBackRest's info file does not read as text.
    byte[] info = Files.readAllBytes(project.resolve(".strata/backups/backup/strata/backup.info"));
    assertThat(new String(info, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1))
        .isEqualTo("Salted__");
    assertThat(new String(info, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("[backrest]");
  }

  @Test
  @Order(20)
  void full_diff_and_incr_form_a_chain_that_list_shows() throws Exception {
    sql("INSERT INTO t SELECT g FROM generate_series(1, 100) g");
    for (String type : List.of("full", "diff", "incr")) {
      Cli b = Cli.run(project, "backup", type);
      assertThat(b.exitCode()).as(b.toString()).isZero();
    }
    Cli list = Cli.run(project, "backup", "list", "--json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    JsonNode backups = JSON.readTree(list.out()).path("backups");
    List<String> types = new ArrayList<>();
    backups.forEach(b -> types.add(b.path("type").asText()));
    assertThat(types).containsExactly("full", "diff", "incr");
    assertThat(backups.get(1).path("prior").asText())
        .isEqualTo(backups.get(0).path("label").asText());
    assertThat(backups.get(2).path("prior").asText())
        .isEqualTo(backups.get(1).path("label").asText());
    assertThat(backups.get(0).path("repository_bytes").asLong()).isPositive();
    assertThat(backups.get(0).path("drill").isNull()).isTrue();
  }

  @Test
  @Order(25)
  void status_shows_the_rpo_the_last_backup_and_that_no_drill_ran_yet() throws Exception {
    Cli status = Cli.run(project, "status", "--json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    JsonNode b = JSON.readTree(status.out()).path("backup");
    assertThat(b.path("archiving").asText()).isEqualTo("ok");
    assertThat(b.path("archive_lag_s").isNumber()).as(b.toString()).isTrue();
    assertThat(b.path("archive_lag_s").asLong()).isBetween(0L, 3600L);
    JsonNode list = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    JsonNode newest = list.path("backups").get(list.path("backups").size() - 1);
    assertThat(b.path("last_backup").path("label").asText())
        .isEqualTo(newest.path("label").asText());
    assertThat(b.path("last_attempt").path("result").asText()).isEqualTo("ok");
    assertThat(b.path("last_drill").isNull()).isTrue();
    assertThat(newest.path("verified").asBoolean(true)).isFalse();
    String text = Cli.run(project, "status").out();
    assertThat(text).contains("WAL archiving ok; RPO").contains("never drilled");
  }

  @Test
  @Order(30)
  void a_restore_to_a_time_just_after_the_last_write_has_exactly_its_rows() throws Exception {
    sql("INSERT INTO t SELECT g FROM generate_series(101, 150) g");
    Thread.sleep(300); // a time strictly after the commit, as a user would type it
    Instant t = Instant.now();
    Thread.sleep(300);
    sql("INSERT INTO t SELECT g FROM generate_series(151, 200) g");
    JsonNode copy = restore("--to", t.toString());
    assertThat(count(copy, "t")).isEqualTo(150);
    assertThat(query("SELECT count(*) FROM t")).as("the running stack").isEqualTo("200");
    remove(copy);

    // No write after the target: Strata writes and archives what recovery needs to stop at it.
    Instant last = Instant.now();
    JsonNode tail = restore("--to", last.toString());
    assertThat(count(tail, "t")).isEqualTo(200);
    remove(tail);
  }

  @Test
  @Order(40)
  void a_restore_to_a_named_point_stops_there() throws Exception {
    Cli point = Cli.run(project, "restore", "point", "before-purge");
    assertThat(point.exitCode()).as(point.toString()).isZero();
    sql("DELETE FROM t WHERE id > 10");
    JsonNode copy = restore("--to", "before-purge");
    assertThat(count(copy, "t")).isEqualTo(200);
    assertThat(query("SELECT count(*) FROM t")).isEqualTo("10");
    remove(copy);
  }

  @Test
  @Order(50)
  void a_drill_proves_the_restore_and_finds_a_wrong_check() throws Exception {
    // A correct check and a planted wrong one: the drill must pass the first and catch the second.
    Files.writeString(
        project.resolve("strata.yaml"),
        YAML
            + "backup:\n  checks:\n"
            + "    rows: {sql: \"SELECT count(*) FROM t\", expect: \"10\"}\n"
            + "    planted: {sql: \"SELECT count(*) FROM t\", expect: \"11\"}\n");
    Cli drill = Cli.run(project, "drill", "restore", "--json");
    assertThat(drill.exitCode()).as(drill.toString()).isEqualTo(1);
    JsonNode result = JSON.readTree(drill.out());
    assertThat(result.path("ok").asBoolean()).isFalse();
    assertThat(result.path("rto_ms").asLong()).isPositive();
    for (JsonNode c : result.path("checks")) {
      boolean planted = c.path("name").asText().equals("planted");
      assertThat(c.path("ok").asBoolean()).as(c.toString()).isEqualTo(!planted);
    }
    List<String> names = new ArrayList<>();
    result.path("checks").forEach(c -> names.add(c.path("name").asText()));
    assertThat(names).contains("pg_amcheck", "row counts", "point in time", "rows", "planted");
    assertThat(Files.list(project.resolve(".strata/restores")).toList())
        .as("the scratch instance is removed")
        .isEmpty();
    JsonNode listed = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    JsonNode last = listed.path("backups").get(listed.path("backups").size() - 1);
    assertThat(last.path("drill").path("ok").asBoolean(true)).isFalse();
    assertThat(last.path("verified").asBoolean(true))
        .as("a failed drill verifies nothing")
        .isFalse();
    JsonNode status = JSON.readTree(Cli.run(project, "status", "--json").out()).path("backup");
    assertThat(status.path("last_drill").path("ok").asBoolean(true)).isFalse();
    assertThat(status.path("last_drill").path("rto_ms").asLong()).isPositive();

    // Without the planted check the drill passes, and the set it restored is verified.
    Files.writeString(
        project.resolve("strata.yaml"),
        YAML + "backup:\n  checks:\n    rows: {sql: \"SELECT count(*) FROM t\", expect: \"10\"}\n");
    Cli good = Cli.run(project, "drill", "restore", "--json");
    assertThat(good.exitCode()).as(good.toString()).isZero();
    String set = JSON.readTree(good.out()).path("backup_set").asText();
    JsonNode relisted = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    boolean verified = false;
    for (JsonNode bk : relisted.path("backups")) {
      if (bk.path("label").asText().equals(set)) {
        verified = bk.path("verified").asBoolean(false);
      }
    }
    assertThat(verified).as("set " + set + " in " + relisted).isTrue();
    assertThat(Cli.run(project, "status").out()).contains("last drill ok").contains("RTO");
    Files.writeString(project.resolve("strata.yaml"), YAML);
  }

  @Test
  @Order(55)
  void the_metrics_show_backup_age_results_rto_and_archive_lag() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    new dev.strata.ops.backup.BackupMetrics(stack()).bindTo(registry);
    assertThat(gauge(registry, "strata_backup_age_seconds")).isBetween(0.0, 3600.0);
    assertThat(gauge(registry, "strata_backup_last_success")).isEqualTo(1.0);
    assertThat(gauge(registry, "strata_backup_drill_last_success")).isEqualTo(1.0);
    assertThat(gauge(registry, "strata_backup_drill_rto_seconds")).isPositive();
    assertThat(gauge(registry, "strata_backup_archive_lag_seconds")).isBetween(0.0, 3600.0);
    assertThat(gauge(registry, "strata_backup_archive_failing")).isEqualTo(0.0);
  }

  private static double gauge(io.micrometer.core.instrument.MeterRegistry registry, String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  @Order(60)
  void targets_in_the_future_or_before_the_first_backup_are_refused_and_nothing_is_left()
      throws Exception {
    Cli future = Cli.run(project, "restore", "--to", Instant.now().plusSeconds(3600).toString());
    assertThat(future.exitCode()).as(future.toString()).isNotZero();
    assertThat(future.err()).contains("is in the future").contains("fix:");
    Cli early = Cli.run(project, "restore", "--to", "2020-01-01T00:00:00Z");
    assertThat(early.exitCode()).as(early.toString()).isNotZero();
    assertThat(early.err()).contains("before the end of the oldest backup");
    Cli unknown = Cli.run(project, "restore", "--to", "no-such-point");
    assertThat(unknown.exitCode()).as(unknown.toString()).isNotZero();
    assertThat(unknown.err()).contains("did not complete");
    Path restores = project.resolve(".strata/restores");
    assertThat(Files.list(restores).toList()).isEmpty();
  }

  @Test
  @Order(70)
  void a_wrong_passphrase_is_named_with_its_fix() throws IOException {
    Path secrets = project.resolve(".strata/secrets");
    String kept = Files.readString(secrets);
    try {
      Files.writeString(
          secrets, kept.replaceAll("(?m)^pgbackrest\\.cipher=.*$", "pgbackrest.cipher=wrong"));
      Cli list = Cli.run(project, "backup", "list");
      assertThat(list.exitCode()).as(list.toString()).isNotZero();
      assertThat(list.err()).contains("do not decrypt with the passphrase pgbackrest.cipher");
    } finally {
      Files.writeString(secrets, kept);
    }
    assertThat(Cli.run(project, "backup", "list").exitCode()).isZero();
  }

  @Test
  @Order(80)
  void an_unwritable_repository_leaves_postgres_running_and_archiving_catches_up()
      throws Exception {
    Path archive = project.resolve(".strata/backups/archive");
    Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("---------"));
    try {
      sql("INSERT INTO t SELECT g FROM generate_series(1000, 1100) g");
      superuser("SELECT pg_switch_wal()");
      assertThat(
              dev.strata.ops.process.Wait.until(
                  () -> Long.parseLong(superuser("SELECT failed_count FROM pg_stat_archiver")) > 0,
                  java.time.Duration.ofSeconds(60)))
          .as("archiving fails while the repository is unwritable")
          .isTrue();
      assertThat(query("SELECT count(*) FROM t")).as("PostgreSQL keeps serving").isEqualTo("111");
      Cli status = Cli.run(project, "status", "--json");
      JsonNode b = JSON.readTree(status.out()).path("backup");
      assertThat(b.path("archiving").asText()).as(b.toString()).isEqualTo("failing");
      assertThat(b.path("failing_since").asText()).isNotBlank();
      assertThat(b.path("queue_max_bytes").asLong()).isEqualTo(1024L * 1024 * 1024);
      assertThat(Cli.run(project, "status").out()).contains("WAL ARCHIVING IS FAILING");
    } finally {
      Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwxr-x---"));
    }
    Cli b = Cli.run(project, "backup", "incr");
    assertThat(b.exitCode()).as("the next backup succeeds: " + b).isZero();
    Cli verify = Cli.run(project, "backup", "verify");
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
  }

  @Test
  @Order(85)
  void the_archive_queue_is_bounded_and_status_says_wal_was_dropped() throws Exception {
    Files.writeString(
        project.resolve("strata.yaml"), YAML + "backup:\n  archive_queue_max: 64mb\n");
    assertThat(Cli.run(project, "up").exitCode()).isZero();
    assertThat(Files.readString(project.resolve(".strata/pgbackrest.conf")))
        .contains("archive-push-queue-max=64MiB");
    Path archive = project.resolve(".strata/backups/archive");
    Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("---------"));
    try {
      // Six segments of 16 MB wait: past the 64 MB bound pgBackRest drops them.
      for (int i = 0; i < 6; i++) {
        sql("INSERT INTO t VALUES (" + (3000 + i) + ")");
        superuser("SELECT pg_switch_wal()");
      }
      assertThat(
              dev.strata.ops.process.Wait.until(
                  () -> {
                    try {
                      return !JSON.readTree(Cli.run(project, "status", "--json").out())
                          .path("backup")
                          .path("wal_dropped_at")
                          .isNull();
                    } catch (IOException e) {
                      return false;
                    }
                  },
                  java.time.Duration.ofSeconds(120)))
          .as("pgBackRest dropped the queue past archive_queue_max")
          .isTrue();
      // PostgreSQL's archiver takes the dropped segments as archived one by one: the queue
      // shrinks to the bound shortly after pgBackRest decides to drop.
      java.util.function.LongSupplier readyMb =
          () ->
              16
                  * Long.parseLong(
                      superuser(
                          "SELECT count(*) FROM pg_ls_archive_statusdir()"
                              + " WHERE name LIKE '%.ready'"));
      dev.strata.ops.process.Wait.until(
          () -> readyMb.getAsLong() <= 64 + 16, java.time.Duration.ofSeconds(60));
      assertThat(readyMb.getAsLong()).as("MB of WAL waiting").isLessThanOrEqualTo(64 + 16);
      assertThat(Cli.run(project, "status").out()).contains("WAL WAS DROPPED");
      assertThat(query("SELECT count(*) FROM t WHERE id >= 3000")).isEqualTo("6");
    } finally {
      Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwxr-x---"));
      Files.writeString(project.resolve("strata.yaml"), YAML);
    }
    assertThat(Cli.run(project, "up").exitCode()).isZero();
    Cli full = Cli.run(project, "backup", "full");
    assertThat(full.exitCode()).as(full.toString()).isZero();
    JsonNode b = JSON.readTree(Cli.run(project, "status", "--json").out()).path("backup");
    assertThat(b.path("wal_dropped_at").isNull()).as("a full backup after the gap").isTrue();
    sql("DELETE FROM t WHERE id >= 3000");
  }

  @Test
  @Order(90)
  void expire_keeps_the_configured_number_of_full_backups() throws Exception {
    Files.writeString(project.resolve("strata.yaml"), YAML + "backup:\n  retention_full: 1\n");
    // Kept (what migrate up --backup takes); pgBackRest's count expires every older set.
    Cli kept = Cli.run(project, "backup", "full", "--keep", "before release 7");
    assertThat(kept.exitCode()).as(kept.toString()).isZero();
    Cli expire = Cli.run(project, "backup", "expire");
    assertThat(expire.exitCode()).as(expire.toString()).isZero();
    JsonNode backups =
        JSON.readTree(Cli.run(project, "backup", "list", "--json").out()).path("backups");
    assertThat(backups.size()).isEqualTo(1);
    assertThat(backups.get(0).path("type").asText()).isEqualTo("full");

    // The kept backup outlives the count: the next full backup expires nothing but what is due.
    Cli newer = Cli.run(project, "backup", "full");
    assertThat(newer.exitCode()).as(newer.toString()).isZero();
    JsonNode after =
        JSON.readTree(Cli.run(project, "backup", "list", "--json").out()).path("backups");
    List<String> labels = new ArrayList<>();
    after.forEach(b -> labels.add(b.path("label").asText()));
    assertThat(labels).containsExactly(kept.out().strip(), newer.out().strip());
    assertThat(after.get(0).path("kept").asText()).isEqualTo("before release 7");
    assertThat(after.get(1).path("kept").isNull()).isTrue();
    Files.writeString(project.resolve("strata.yaml"), YAML);
  }

  @Test
  @Order(100)
  void a_dump_is_encrypted_and_one_table_restores_into_a_new_database() throws IOException {
    sql("CREATE TABLE other (id int)");
    sql("INSERT INTO other VALUES (1), (2)");
    Cli dump = Cli.run(project, "dump");
    assertThat(dump.exitCode()).as(dump.toString()).isZero();
    Path file = Path.of(dump.out().strip());
    assertThat(file.getFileName().toString()).endsWith(".dump.enc");
    // Encrypted: pg_dump's custom format starts with PGDMP; the file must not.
    assertThat(
            new String(
                Files.readAllBytes(file), 0, 5, java.nio.charset.StandardCharsets.ISO_8859_1))
        .isNotEqualTo("PGDMP");
    Cli restore = Cli.run(project, "restore", "--dump", file.toString(), "--table", "t");
    assertThat(restore.exitCode()).as(restore.toString()).isZero();
    String db = restore.out().replaceAll("(?s).*new database (\\S+) .*", "$1");
    assertThat(superuserIn(db, "SELECT count(*) FROM t"))
        .isEqualTo(query("SELECT count(*) FROM t"));
    assertThat(superuserIn(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'other'"))
        .as("only the table asked for")
        .isEqualTo("0");
  }

  @Test
  @Order(5)
  void a_repository_that_cannot_be_created_rolls_the_start_back() throws IOException {
    Path bad = Files.createTempDirectory("strata-backups-bad-");
    Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rwxr-xr-x"));
    // Root's folder, closed to the servers' user: stanza-create cannot write there.
    Path repo = Files.createDirectory(bad.resolve("repo"));
    Files.setPosixFilePermissions(repo, PosixFilePermissions.fromString("r-xr-xr-x"));
    Files.writeString(bad.resolve("strata.yaml"), YAML + "backup:\n  path: repo\n");
    try {
      Cli up = Cli.run(bad, "up");
      assertThat(up.exitCode()).as(up.toString()).isNotZero();
      assertThat(up.err()).contains("stanza-create").contains("fix:");
      Path pid = bad.resolve(".strata/postgres/data/postmaster.pid");
      assertThat(pid).as("PostgreSQL was stopped again").doesNotExist();
    } finally {
      Cli.run(bad, "destroy", "--yes");
      StackFiles.deleteTree(bad);
    }
  }

  @Test
  @Order(110)
  void an_in_place_restore_replaces_the_data_and_keeps_the_old_directory() throws Exception {
    Cli refused = Cli.run(project, "restore", "--in-place", "--to", "latest");
    assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    assertThat(refused.err()).contains("--yes");
    Cli point = Cli.run(project, "restore", "point", "before-truncate");
    assertThat(point.exitCode()).as(point.toString()).isZero();
    String rows = query("SELECT count(*) FROM t");
    sql("TRUNCATE t");
    Cli r = Cli.run(project, "restore", "--in-place", "--yes", "--to", "before-truncate", "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode doc = JSON.readTree(r.out());
    Path kept = Path.of(doc.path("kept_data_dir").asText());
    assertThat(kept.resolve("PG_VERSION")).as("the old data is kept").exists();
    assertThat(kept.getParent()).isEqualTo(project.resolve(".strata/postgres"));
    assertThat(query("SELECT count(*) FROM t"))
        .as("the stack runs on the restored data")
        .isEqualTo(rows);
    Cli status = Cli.run(project, "status");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    // The new timeline archives into the same stanza: a backup after it works.
    Cli b = Cli.run(project, "backup", "incr");
    assertThat(b.exitCode()).as(b.toString()).isZero();
    StackFiles.deleteTree(kept);
  }

  @Test
  @Order(120)
  void a_full_restore_folder_is_named_and_nothing_is_left() throws Exception {
    Path restores = project.resolve(".strata/restores");
    Files.createDirectories(restores);
    Exec.Result mount =
        Exec.of("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", restores.toString())
            .run();
    assertThat(mount.ok()).as(mount.output()).isTrue();
    try {
      // An LSN target: the restore starts at once (no WAL switch and archive wait before it).
      String lsn = superuser("SELECT pg_current_wal_lsn()");
      Cli r = Cli.run(project, "restore", "--to", lsn);
      assertThat(r.exitCode()).as(r.toString()).isNotZero();
      assertThat(r.err()).contains("is full").contains("fix:");
      try (var left = Files.list(restores)) { // closed: an open directory keeps the mount busy
        assertThat(left.toList()).as("nothing half-restored").isEmpty();
      }
    } finally {
      Exec.Result umount = Exec.of("umount", restores.toString()).run();
      assertThat(umount.ok()).as(umount.output()).isTrue();
    }
  }

  @Test
  @Order(130)
  void a_backup_killed_half_way_is_marked_failed_and_the_next_one_succeeds() throws Exception {
    // Enough data that the copy takes a moment: the kill lands while files are being written.
    sql("CREATE TABLE bulk AS SELECT g, md5(g::text) AS h FROM generate_series(1, 600000) g");
    Path sets = project.resolve(".strata/backups/backup/strata");
    List<Path> before = Files.list(sets).toList();
    java.util.concurrent.CompletableFuture<Cli> running =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> Cli.run(project, "backup", "full"));
    List<ProcessHandle> killed = new ArrayList<>();
    boolean hit =
        dev.strata.ops.process.Wait.until(
            () -> {
              boolean copying;
              try (var s = Files.list(sets)) {
                copying = s.anyMatch(p -> !before.contains(p) && Files.isDirectory(p));
              } catch (IOException e) {
                copying = false;
              }
              if (!copying) {
                return running.isDone();
              }
              ProcessHandle.current()
                  .descendants()
                  .filter(h -> h.info().command().orElse("").endsWith("/pgbackrest"))
                  .filter(
                      h ->
                          java.util.Arrays.stream(h.info().arguments().orElse(new String[0]))
                              .anyMatch(a -> a.startsWith("backup")))
                  .forEach(
                      h -> {
                        h.destroyForcibly();
                        killed.add(h);
                      });
              return !killed.isEmpty() || running.isDone();
            },
            java.time.Duration.ofSeconds(120));
    Cli b = running.get();
    assertThat(hit && !killed.isEmpty()).as("the backup was killed half-way: " + b).isTrue();
    assertThat(b.exitCode()).as(b.toString()).isNotZero();
    JsonNode status = JSON.readTree(Cli.run(project, "status", "--json").out()).path("backup");
    assertThat(status.path("last_attempt").path("result").asText()).isEqualTo("failed");
    assertThat(Cli.run(project, "status").out()).contains("the last attempt (full");
    Cli verify = Cli.run(project, "backup", "verify");
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
    Cli again = Cli.run(project, "backup", "full");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    JsonNode after = JSON.readTree(Cli.run(project, "status", "--json").out()).path("backup");
    assertThat(after.path("last_attempt").path("result").asText()).isEqualTo("ok");
    sql("DROP TABLE bulk");
  }

  @Test
  @Order(140)
  void redis_backups_are_encrypted_and_restore_beside_the_stack_and_in_place() throws Exception {
    redis(null, "SET", "k", "before");
    Cli b = Cli.run(project, "backup", "redis");
    assertThat(b.exitCode()).as(b.toString()).isZero();
    String name = b.out().strip();
    Path file = project.resolve(".strata/backups/redis/" + name + ".rdb.gz.enc");
    byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(file), 8);
    assertThat(new String(head, java.nio.charset.StandardCharsets.ISO_8859_1))
        .as("openssl's encrypted form, not gzip nor an RDB")
        .isEqualTo("Salted__");
    redis(null, "SET", "k", "after");
    JsonNode list = JSON.readTree(Cli.run(project, "backup", "list", "--json").out());
    List<String> names = new ArrayList<>();
    list.path("redis").forEach(r -> names.add(r.path("name").asText()));
    assertThat(names).contains(name);

    Cli scratch = Cli.run(project, "restore", "redis", "--json");
    assertThat(scratch.exitCode()).as(scratch.toString()).isZero();
    JsonNode copy = JSON.readTree(scratch.out());
    assertThat(redis(copy.path("port").asInt(), "GET", "k")).isEqualTo("before");
    assertThat(redis(null, "GET", "k")).as("the stack's Redis is untouched").isEqualTo("after");
    Cli rm = Cli.run(project, "restore", "remove", copy.path("id").asText());
    assertThat(rm.exitCode()).as(rm.toString()).isZero();

    Cli refused = Cli.run(project, "restore", "redis", "--in-place");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("--yes");
    Cli inPlace = Cli.run(project, "restore", "redis", name, "--in-place", "--yes", "--json");
    assertThat(inPlace.exitCode()).as(inPlace.toString()).isZero();
    assertThat(redis(null, "GET", "k")).isEqualTo("before");
    // The append-only file was rebuilt from the snapshot: Redis keeps the key across a restart.
    assertThat(redis(null, "INFO", "persistence")).contains("aof_enabled:1");
    Path kept = Path.of(JSON.readTree(inPlace.out()).path("kept_data_dir").asText());
    assertThat(kept).isDirectory();
    assertThat(Cli.run(project, "down").exitCode()).isZero();
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(redis(null, "GET", "k")).isEqualTo("before");
    StackFiles.deleteTree(kept);
  }

  /** redis-cli as the app user on the stack's Redis, or on a scratch copy's port (plain TCP). */
  private static String redis(Integer scratchPort, String... args) {
    dev.strata.core.env.RedisEndpoint app = stack().redisEndpoint("app");
    List<String> command =
        new ArrayList<>(
            List.of(
                stack().tools().redisCli().toString(),
                "-h",
                app.host(),
                "-p",
                Integer.toString(scratchPort == null ? app.port() : scratchPort),
                "--user",
                app.user(),
                "--no-auth-warning"));
    if (app.tls() && scratchPort == null) {
      command.addAll(List.of("--tls", "--cacert", app.caFile().toString()));
    }
    command.addAll(List.of(args));
    Exec.Result r = Exec.of(command).env("REDISCLI_AUTH", app.password()).run();
    assertThat(r.ok()).as(r.output()).isTrue();
    return r.output().strip();
  }

  @Test
  @Order(150)
  void an_s3_repository_over_https_takes_and_restores_backups() throws Exception {
    try (S3rver s3 =
        S3rver.start(project.resolve("s3/data"), project.resolve(".strata/tls"), "strata")) {
      Files.writeString(
          project.resolve("strata.yaml"),
          YAML
              + "backup:\n  repository: s3\n  s3_endpoint: localhost:"
              + s3.port()
              + "\n  s3_bucket: strata\n  s3_path_style: true\n"
              + "  s3_key: ${STRATA_TEST_S3_KEY:-S3RVER}\n"
              + "  s3_secret: ${STRATA_TEST_S3_SECRET:-S3RVER}\n"
              + "  s3_ca_file: .strata/tls/ca.crt\n");
      Cli up = Cli.run(project, "up");
      assertThat(up.exitCode()).as(up.toString()).isZero();
      assertThat(Files.readString(project.resolve(".strata/pgbackrest.conf")))
          .contains("repo1-type=s3")
          .contains("repo1-s3-endpoint=localhost")
          .contains("repo1-s3-uri-style=path");
      sql("INSERT INTO t SELECT g FROM generate_series(5000, 5009) g");
      Cli b = Cli.run(project, "backup", "full");
      assertThat(b.exitCode()).as(b.toString()).isZero();
      try (var files = Files.walk(project.resolve("s3/data"))) {
        assertThat(files.map(Path::toString).filter(f -> f.contains("backup.info")).count())
            .as("the backup is in the bucket")
            .isPositive();
      }
      JsonNode copy = restore("--to", "latest");
      assertThat(count(copy, "t")).isEqualTo(Long.parseLong(query("SELECT count(*) FROM t")));
      remove(copy);
      // Back to the local repository while s3rver still answers: archiving moves with it.
      Files.writeString(project.resolve("strata.yaml"), YAML);
      assertThat(Cli.run(project, "up").exitCode()).isZero();
    } finally {
      Files.writeString(project.resolve("strata.yaml"), YAML);
    }
    Cli.run(project, "down");
    assertThat(
            dev.strata.ops.process.Wait.until(
                () ->
                    ProcessHandle.allProcesses()
                        .map(p -> p.info().commandLine().orElse(""))
                        .noneMatch(c -> c.contains(project.toString()) && c.contains("pgbackrest")),
                java.time.Duration.ofSeconds(30)))
        .as("no pgBackRest process of the stack outlives strata down")
        .isTrue();
  }

  private static JsonNode restore(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("restore"));
    all.addAll(List.of(args));
    all.add("--json");
    Cli r = Cli.run(project, all.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode copy = JSON.readTree(r.out());
    assertThat(copy.path("port").asInt()).isPositive();
    assertThat(copy.path("data_dir").asText())
        .startsWith(project.resolve(".strata/restores").toString());
    return copy;
  }

  private static void remove(JsonNode copy) {
    Cli rm = Cli.run(project, "restore", "remove", copy.path("id").asText());
    assertThat(rm.exitCode()).as(rm.toString()).isZero();
    assertThat(Path.of(copy.path("data_dir").asText())).doesNotExist();
  }

  private static long count(JsonNode copy, String table) throws SQLException {
    // The copy's URL, as a user pastes it into psql: only the libpq form is printed.
    Exec.Result r =
        Exec.of(
                stack().tools().pgBinDir().resolve("psql").toString(),
                "-XAtc",
                "SELECT count(*) FROM " + table,
                copy.path("direct_url").asText())
            .run();
    assertThat(r.ok()).as(r.output()).isTrue();
    return Long.parseLong(r.output().strip());
  }

  private static Stack stack() {
    return new Stack(
        project, SpecLoader.load(project.resolve("strata.yaml"), System::getenv), l -> {});
  }

  private static PgEndpoint direct() {
    return stack().env().direct();
  }

  private static void sql(String sql) {
    try (Connection c = DriverManager.getConnection(direct().jdbcUrl(), direct().jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new AssertionError(sql + ": " + e.getMessage(), e);
    }
  }

  private static String query(String sql) {
    try (Connection c = DriverManager.getConnection(direct().jdbcUrl(), direct().jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new AssertionError(sql + ": " + e.getMessage(), e);
    }
  }

  /** As the superuser over the socket: pg_switch_wal is the superuser's. */
  private static String superuser(String sql) {
    return superuserIn("postgres", sql);
  }

  private static String superuserIn(String database, String sql) {
    List<String> command = new ArrayList<>(stack().superuserPsql(database));
    command.addAll(List.of("-XAtc", sql));
    Exec.Result r = Exec.of(command).run();
    assertThat(r.ok()).as(r.output()).isTrue();
    return r.output().strip();
  }
}
