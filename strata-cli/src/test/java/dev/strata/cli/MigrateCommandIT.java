package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code strata migrate} against a real stack: exit codes and messages. */
@StrataTest(yaml = MigrateCommandIT.YAML)
final class MigrateCommandIT {
  static final String YAML =
      "postgres:\n  port: 0\n  databases: [hosterizer, cli, fail, killed, repaired]\npooler:\n  port: 0\nredis:\n  port: 0\n";

  /** What one command line did. */
  record Run(int exit, String out, String err) {}

  /**
   * Runs {@code strata -f <yaml> args} in the stack's folder, {@code yaml} naming its own folder.
   */
  private static Run strata(StrataStack stack, String migrationsDir, String... args)
      throws IOException {
    Path yaml = stack.home().resolve(migrationsDir + ".yaml");
    // The stack is strata-test's, which runs without WAL archiving: say so, as its own yaml does.
    Files.writeString(
        yaml, YAML + "backup:\n  enabled: false\nmigrations:\n  dir: " + migrationsDir + "\n");
    String[] all = new String[args.length + 2];
    all[0] = "-f";
    all[1] = yaml.getFileName().toString();
    System.arraycopy(args, 0, all, 2, args.length);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(stack.home(), new PrintWriter(out), new PrintWriter(err), all);
    return new Run(exit, out.toString(), err.toString());
  }

  /** The stack's folder is removed when the class ends: take out what these tests put there. */
  @AfterAll
  static void removeTestFiles(StrataStack stack) throws IOException {
    try (Stream<Path> files = Files.list(stack.home())) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith("migrations") || name.endsWith("migrations.yaml")) {
          deleteTree(f);
        }
      }
    }
    deleteTree(stack.home().resolve(".strata/backups"));
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void hosterizer_example_goes_up_down_all_and_up_again(StrataStack stack) throws IOException {
    Path target = stack.home().resolve("hosterizer-migrations");
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(Path.of("../examples/hosterizer/migrations"))) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    String dir = "hosterizer-migrations";

    Run up = strata(stack, dir, "migrate", "up", "-d", "hosterizer");
    assertThat(up.exit()).as(up.err()).isZero();
    assertThat(up.out())
        .contains("applied 000002_create_users_table.up.sql")
        .contains("11 migrations applied; the database is at version 11");
    Run down = strata(stack, dir, "migrate", "down", "--all", "-d", "hosterizer");
    assertThat(down.exit()).as(down.err()).isZero();
    assertThat(down.out()).contains("11 migrations undone; the database is at no version");

    Run again = strata(stack, dir, "migrate", "up", "--backup", "-d", "hosterizer");
    assertThat(again.exit()).as(again.err()).isZero();
    String backupLine =
        again.out().lines().filter(l -> l.startsWith("backup: ")).findFirst().orElseThrow();
    Path backup = Path.of(backupLine.substring("backup: ".length()));
    assertThat(backup).startsWith(stack.home().resolve(".strata/backups"));
    assertThat(Files.readAllBytes(backup)).startsWith("PGDMP".getBytes());

    Run status = strata(stack, dir, "migrate", "status", "--json", "-d", "hosterizer");
    assertThat(status.exit()).as(status.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(status.out());
    assertThat(json.get("version").asLong()).isEqualTo(11);
    assertThat(json.get("migrations")).hasSize(11);
    assertThat(json.get("migrations").findValuesAsText("state")).containsOnly("applied");
    assertThat(strata(stack, dir, "migrate", "version", "-d", "hosterizer").out().strip())
        .isEqualTo("11");
    Run table = strata(stack, dir, "migrate", "status", "-d", "hosterizer");
    assertThat(table.out())
        .startsWith("VERSION  NAME ")
        .contains("000009_index_sites_by_provider_concurrently  applied  ")
        .endsWith("database at version 11; format golang-migrate (schema_migrations)\n");
    assertThat(strata(stack, dir, "migrate", "validate", "-d", "hosterizer").out())
        .isEqualTo("ok: the database is at version 11, 0 pending\n");
  }

  @Test
  void create_up_drift_and_refusals_have_clear_messages(StrataStack stack) throws IOException {
    String dir = "cli-migrations";
    Run created = strata(stack, dir, "migrate", "create", "Add widgets");
    assertThat(created.exit()).isZero();
    Path up = stack.home().resolve(dir).resolve("000001_add_widgets.up.sql");
    assertThat(created.out()).contains("created " + up);
    Files.writeString(up, "CREATE TABLE widgets (id int);\n");
    Run first = strata(stack, dir, "migrate", "up", "-d", "cli");
    assertThat(first.exit()).as(first.err()).isZero();

    Files.writeString(up, "CREATE TABLE widgets (id bigint);\n");
    Run drift = strata(stack, dir, "migrate", "up", "-d", "cli");
    assertThat(drift.exit()).isEqualTo(2);
    assertThat(drift.err())
        .contains(up + " changed since it was applied: applied with checksum ")
        .contains("fix: restore the file as it was applied");
    Run validate = strata(stack, dir, "migrate", "validate", "-d", "cli");
    assertThat(validate.exit()).isEqualTo(2);
    assertThat(validate.err()).contains("1 problem with ");

    Files.writeString(up, "CREATE TABLE widgets (id int);\n");
    Files.delete(stack.home().resolve(dir).resolve("000001_add_widgets.down.sql"));
    Run noDown = strata(stack, dir, "migrate", "down", "1", "-d", "cli");
    assertThat(noDown.exit()).isEqualTo(2);
    assertThat(noDown.err())
        .contains("cannot undo: no down file")
        .contains("nothing was changed (still at version 1)");

    Run noCount = strata(stack, dir, "migrate", "down", "-d", "cli");
    assertThat(noCount.exit()).isEqualTo(2);
    assertThat(noCount.err()).contains("say how many migrations to undo");

    Run pooled = strata(stack, dir, "migrate", "up", "--url", stack.env("cli").pooled().url());
    assertThat(pooled.exit()).isEqualTo(2);
    assertThat(pooled.err()).contains("is this stack's PgBouncer").contains("fix: use DIRECT_URL");
  }

  @Test
  void failing_file_names_its_line_and_exits_1(StrataStack stack) throws IOException {
    String dir = "failing-migrations";
    Path folder = stack.home().resolve(dir);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("1_ok.up.sql"), "CREATE TABLE ok_t (id int);\n");
    Files.writeString(
        folder.resolve("2_bad.up.sql"),
        "CREATE TABLE bad_t (id int);\nSELECT missing FROM ok_t;\n");
    Run run = strata(stack, dir, "migrate", "up", "--url", stack.env("fail").direct().url());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).contains("applied 1_ok.up.sql");
    assertThat(run.err())
        .contains(folder + "/2_bad.up.sql:2: ERROR: column \"missing\" does not exist")
        .contains("still at version 1 and not dirty");

    Run force = strata(stack, dir, "migrate", "force", "2", "-d", "fail");
    assertThat(force.exit()).isZero();
    assertThat(force.out())
        .contains("the database was at version 1, it is now at version 2. No SQL ran");
  }

  @Test
  void bad_input_exits_2_with_the_cause(StrataStack stack) throws IOException {
    String dir = "bad-input-migrations";
    Path folder = stack.home().resolve(dir);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("1_a.up.sql"), "SELECT 1;\n");

    Run url = strata(stack, dir, "migrate", "up", "--url", "mysql://u:secret@h/db");
    assertThat(url.exit()).isEqualTo(2);
    assertThat(url.err())
        .contains("--url mysql://u:<masked>@h/db is not a PostgreSQL URL")
        .doesNotContain("secret");

    Run unreachable =
        strata(stack, dir, "migrate", "up", "--url", "postgresql://u:p@127.0.0.1:1/db");
    assertThat(unreachable.exit()).isEqualTo(3);
    assertThat(unreachable.err())
        .contains("cannot reach the database to migrate")
        .contains("fix: check that PostgreSQL is running");

    Run noSuchVersion = strata(stack, dir, "migrate", "goto", "42", "-d", "fail");
    assertThat(noSuchVersion.exit()).isEqualTo(2);
    assertThat(noSuchVersion.err())
        .contains("no migration has version 42")
        .contains("fix: choose one of: 1");

    Run zero = strata(stack, dir, "migrate", "up", "0", "-d", "fail");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("the number of migrations must be positive, was 0");

    Run both =
        strata(
            stack, dir, "migrate", "up", "-d", "fail", "--url", stack.env("fail").direct().url());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--database and --url both say which database to migrate");

    Run badTitle = strata(stack, dir, "migrate", "create", "--", "--");
    assertThat(badTitle.exit()).isEqualTo(2);
    assertThat(badTitle.err()).contains("'--' is not a migration title");

    Files.writeString(folder.resolve("1_b.down.sql"), "SELECT 1;\n");
    Run twoTitles = strata(stack, dir, "migrate", "status", "-d", "fail");
    assertThat(twoTitles.exit()).isEqualTo(2);
    assertThat(twoTitles.err()).contains("version 1 has two titles: a and b");
  }

  @Test
  void repair_accepts_a_reviewed_change_and_up_and_down_go_on(StrataStack stack)
      throws IOException {
    String dir = "repair-migrations";
    Path folder = stack.home().resolve(dir);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\n");
    Files.writeString(folder.resolve("1_a.down.sql"), "DROP TABLE a;\n");
    assertThat(strata(stack, dir, "migrate", "up", "-d", "repaired").exit()).isZero();
    Files.writeString(folder.resolve("1_a.up.sql"), "CREATE TABLE a (id int); -- reviewed\n");
    Files.writeString(folder.resolve("2_b.up.sql"), "CREATE TABLE b (id int);\n");
    Files.writeString(folder.resolve("2_b.down.sql"), "DROP TABLE b;\n");

    Run refused = strata(stack, dir, "migrate", "up", "-d", "repaired");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("fix: ").contains("accept it with `strata migrate repair`");
    Run old = strata(stack, dir, "migrate", "up", "--allow-changed", "-d", "repaired");
    assertThat(old.exit()).isEqualTo(2);
    assertThat(old.err())
        .contains("--allow-changed is gone")
        .contains("fix: review the change, then `strata migrate repair`");

    Run repair = strata(stack, dir, "migrate", "repair", "-d", "repaired");
    assertThat(repair.exit()).as(repair.err()).isZero();
    assertThat(repair.out()).startsWith("accepted 1_a: checksum ").contains("1 checksum accepted");
    Run status = strata(stack, dir, "migrate", "status", "-d", "repaired");
    assertThat(status.out()).doesNotContain("changed").contains("1        1_a   applied");
    assertThat(strata(stack, dir, "migrate", "up", "-d", "repaired").out())
        .contains("1 migration applied; the database is at version 2");
    assertThat(strata(stack, dir, "migrate", "down", "2", "-d", "repaired").out())
        .contains("2 migrations undone; the database is at no version");
    assertThat(strata(stack, dir, "migrate", "repair", "-d", "repaired").out())
        .isEqualTo("nothing to repair: no applied file changed\n");
  }

  @Test
  void pooled_urls_are_refused_naming_the_parameter_in_one_line(StrataStack stack)
      throws IOException {
    String dir = "pooled-migrations";
    Files.createDirectories(stack.home().resolve(dir));
    String direct = stack.env("cli").direct().url();
    String sep = direct.contains("?") ? "&" : "?";
    Run bouncer = strata(stack, dir, "migrate", "up", "--url", direct + sep + "pgbouncer=true");
    assertThat(bouncer.exit()).isEqualTo(2);
    assertThat(bouncer.err().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .contains("its parameter pgbouncer=true says it goes through PgBouncer");
    Run threshold =
        strata(stack, dir, "migrate", "status", "--url", direct + sep + "prepareThreshold=0");
    assertThat(threshold.exit()).isEqualTo(2);
    assertThat(threshold.err().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .contains("its parameter prepareThreshold=0 is the setting for PgBouncer's transaction")
        .doesNotContain("ApplicationName")
        .doesNotContain("sslmode");
  }

  @Test
  void plan_prints_what_up_would_run_and_runs_nothing(StrataStack stack) throws IOException {
    String dir = "plan-migrations";
    Path folder = stack.home().resolve(dir);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("1_a.up.sql"), "CREATE TABLE plan_a (id int);\n");
    Files.writeString(
        folder.resolve("2_b.up.sql"),
        "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY plan_a_id ON plan_a (id);\n");
    Run plan = strata(stack, dir, "migrate", "plan", "-d", "cli");
    assertThat(plan.exit()).as(plan.err()).isZero();
    assertThat(plan.out())
        .contains(folder + "/1_a.up.sql: one transaction, with its bookkeeping\n  BEGIN\n")
        .contains("  -- line 1, lock: none on existing tables\n  CREATE TABLE plan_a (id int)\n")
        .contains(folder + "/2_b.up.sql: no transaction, statement by statement")
        .contains("-- line 2, lock: none that blocks reads or writes")
        .endsWith("2 files, 2 statements would run; nothing ran\n");
    assertThat(strata(stack, dir, "migrate", "status", "-d", "cli").out())
        .contains("1        1_a   pending");
  }

  /**
   * A {@code strata migrate up} process killed with SIGKILL in the middle of a no-transaction file:
   * the statements before stay, the version stays dirty, and status says so.
   */
  @Test
  void kill_9_in_the_middle_of_a_no_transaction_file_leaves_it_dirty(StrataStack stack)
      throws Exception {
    String dir = "killed-migrations";
    Path folder = stack.home().resolve(dir);
    Files.createDirectories(folder);
    Files.writeString(
        folder.resolve("1_slow.up.sql"),
        "-- strata:no-transaction\nCREATE TABLE k1 (id int);\nSELECT pg_sleep(120);\n"
            + "CREATE TABLE k2 (id int);\n");
    Path yaml = stack.home().resolve(dir + ".yaml");
    Files.writeString(yaml, YAML + "migrations:\n  dir: " + dir + "\n");
    Process cli =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.strata.cli.Main",
                "-f",
                yaml.getFileName().toString(),
                "migrate",
                "up",
                "-d",
                "killed")
            .directory(stack.home().toFile())
            .redirectErrorStream(true)
            .redirectOutput(stack.home().resolve(dir + ".log").toFile())
            .start();
    try (java.sql.Connection c = stack.connect(stack.env("killed").direct());
        java.sql.Statement s = c.createStatement()) {
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
      while (true) {
        try (java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(120)'")) {
          rs.next();
          if (rs.getInt(1) == 1) {
            break;
          }
        }
        assertThat(cli.isAlive()).as("the CLI ended before its sleep").isTrue();
        assertThat(System.nanoTime()).as("the CLI never reached its sleep").isLessThan(deadline);
        Thread.sleep(50);
      }
      cli.destroyForcibly().waitFor();
      Run status = strata(stack, dir, "migrate", "status", "-d", "killed");
      assertThat(status.out()).contains("1        1_slow  dirty").contains("(dirty)");
      // The server session lives on in pg_sleep, holding the migration lock: end it.
      s.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
              + " WHERE query = 'SELECT pg_sleep(120)'");
      try (java.sql.ResultSet rs =
          s.executeQuery("SELECT to_regclass('k1') IS NOT NULL, to_regclass('k2') IS NULL")) {
        rs.next();
        assertThat(rs.getBoolean(1) && rs.getBoolean(2)).isTrue();
      }
    } finally {
      cli.destroyForcibly();
    }
    Run up = strata(stack, dir, "migrate", "up", "-d", "killed");
    assertThat(up.exit()).isEqualTo(2);
    assertThat(up.err()).contains("the database is dirty at version 1").contains("migrate force");
  }
}
