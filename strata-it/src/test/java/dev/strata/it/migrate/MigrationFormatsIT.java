package dev.strata.it.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.jdbc.migrate.FolderFormat;
import dev.strata.jdbc.migrate.MigrateResult;
import dev.strata.jdbc.migrate.MigrationLocation;
import dev.strata.jdbc.migrate.MigrationPlan;
import dev.strata.jdbc.migrate.MigrationStatus;
import dev.strata.jdbc.migrate.MigrationStep;
import dev.strata.jdbc.migrate.Migrator;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Real-world folders against a real PostgreSQL: golang-migrate, Flyway (checked with the real
 * Flyway library) and Prisma folders, BEGIN/COMMIT files, a database ahead of the files, plan,
 * baseline, repair, CRLF checkouts, CREATE INDEX CONCURRENTLY. Each test in its own schema.
 */
@StrataTest
final class MigrationFormatsIT {
  @TempDir Path dir;

  private static DataSource schema(StrataStack stack, String name) throws SQLException {
    PgEndpoint direct = stack.env().direct();
    try (Connection c = stack.connect(direct);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE; CREATE SCHEMA " + name);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(direct.jdbcUrl());
    ds.setUser(direct.user());
    ds.setPassword(direct.password());
    ds.setCurrentSchema(name);
    return ds;
  }

  private void file(String name, String sql) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, sql);
  }

  private static List<String> query(DataSource ds, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  private static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void file_with_its_own_begin_commit_is_refused_before_anything_runs(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_tx");
    file(
        "000001_tx.up.sql",
        "BEGIN;\ncreate table a(x int);\nCOMMIT;\ncreate table b(x int);\nselect * from nowhere;\n");
    assertThatThrownBy(() -> Migrator.of(ds, dir).up())
        .isInstanceOf(StrataException.class)
        .hasMessageStartingWith(dir + "/000001_tx.up.sql:1: BEGIN controls the transaction")
        .hasMessageContaining("nothing ran");
    assertThat(query(ds, "SELECT to_regclass('a') IS NULL, to_regclass('schema_migrations')"))
        .containsExactly("t|null");
  }

  @Test
  void version_applied_by_golang_migrate_between_strata_runs_is_applied_outside_strata(
      StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "f_golang");
    file("1_a.up.sql", "CREATE TABLE a (id int);\n");
    Migrator migrator = Migrator.of(ds, dir);
    migrator.up();
    file("2_b.up.sql", "CREATE TABLE b (id int);\n");
    file("3_c.up.sql", "CREATE TABLE c (id int);\n");
    // What golang-migrate's postgres driver runs for `migrate up 1` (database/postgres/postgres.go:
    // lock, SetVersion dirty, the file, SetVersion clean), with the lock key its Go code computes.
    execute(
        ds,
        "SELECT pg_advisory_lock(2414214667); BEGIN; TRUNCATE f_golang.schema_migrations;"
            + " INSERT INTO f_golang.schema_migrations VALUES (2, true); COMMIT;"
            + " CREATE TABLE b (id int); BEGIN; TRUNCATE f_golang.schema_migrations;"
            + " INSERT INTO f_golang.schema_migrations VALUES (2, false); COMMIT;"
            + " SELECT pg_advisory_unlock(2414214667)");

    List<MigrationStatus> status = migrator.status();
    assertThat(status)
        .extracting(MigrationStatus::state)
        .containsExactly(
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.PENDING);
    assertThat(status)
        .extracting(MigrationStatus::outsideStrata)
        .containsExactly(false, true, false);
    assertThat(migrator.up().steps()).extracting(MigrationStep::version).containsExactly(3L);
    // Recorded as such, so it stays applied (not "skipped") once newer versions ran.
    assertThat(query(ds, "SELECT version, direction FROM strata_migrations_log ORDER BY id"))
        .containsExactly("1|up", "2|outside", "3|up");
    assertThat(migrator.problems()).isEmpty();
  }

  @Test
  void database_ahead_of_the_files_is_a_warning_and_strict_makes_it_an_error(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_ahead");
    file("1_a.up.sql", "CREATE TABLE a (id int);\n");
    Migrator.of(ds, dir).up();
    execute(ds, "UPDATE schema_migrations SET version = 99");

    MigrateResult result = Migrator.of(ds, dir).up();
    assertThat(result.steps()).isEmpty();
    assertThat(result.warnings())
        .singleElement()
        .asString()
        .startsWith("the database has version 99 (99) applied, newer than every file in " + dir);
    assertThat(Migrator.of(ds, dir).status())
        .extracting(MigrationStatus::state)
        .containsExactly(MigrationStatus.State.APPLIED, MigrationStatus.State.AHEAD);
    Migrator strict = Migrator.builder(ds, MigrationLocation.folder(dir)).strict(true).build();
    assertThatThrownBy(strict::up)
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("ahead of these files");
  }

  @Test
  void crlf_and_bom_checkout_of_an_applied_file_is_not_changed(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "f_crlf");
    file("1_a.up.sql", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n");
    Migrator.of(ds, dir).up();
    file("1_a.up.sql", "\uFEFFCREATE TABLE a (id int);\r\nINSERT INTO a VALUES (1);\r\n");
    assertThat(Migrator.of(ds, dir).status())
        .extracting(MigrationStatus::state)
        .containsExactly(MigrationStatus.State.APPLIED);
    file("1_a.up.sql", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (2);\n");
    assertThat(Migrator.of(ds, dir).status())
        .extracting(MigrationStatus::state)
        .containsExactly(MigrationStatus.State.CHANGED);
  }

  @Test
  void plan_shows_statements_transactions_and_locks_and_runs_nothing(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_plan");
    file("1_a.up.sql", "CREATE TABLE a (id int);\n\nALTER TABLE a ADD COLUMN v text;\n");
    file("2_idx.up.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY a_v ON a (v);\n");
    MigrationPlan plan = Migrator.of(ds, dir).plan();
    assertThat(plan.files())
        .extracting(MigrationPlan.File::transaction)
        .containsExactly(true, false);
    assertThat(plan.files().get(0).statements())
        .extracting(MigrationPlan.Step::line, MigrationPlan.Step::sql)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, "CREATE TABLE a (id int)"),
            org.assertj.core.groups.Tuple.tuple(3, "ALTER TABLE a ADD COLUMN v text"));
    assertThat(plan.files().get(0).statements().get(1).lock()).startsWith("ACCESS EXCLUSIVE");
    assertThat(plan.files().get(1).statements().get(0).lock())
        .startsWith("none that blocks reads or writes");
    assertThat(query(ds, "SELECT to_regclass('a'), to_regclass('schema_migrations')"))
        .containsExactly("null|null");
  }

  @Test
  void baseline_adopts_an_existing_database(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "f_baseline");
    execute(ds, "CREATE TABLE a (id int)");
    file("1_a.up.sql", "CREATE TABLE a (id int);\n");
    file("2_b.up.sql", "CREATE TABLE b (id int);\n");
    Migrator migrator = Migrator.of(ds, dir);
    migrator.baseline(1);
    assertThat(migrator.up().steps()).extracting(MigrationStep::version).containsExactly(2L);
    assertThatThrownBy(() -> migrator.baseline(1)).hasMessageContaining("already records");
  }

  @Test
  void search_path_set_by_a_file_moves_neither_bookkeeping_nor_the_pools_session(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_path");
    execute(ds, "DROP SCHEMA IF EXISTS f_other CASCADE; CREATE SCHEMA f_other");
    file("1_a.up.sql", "SET search_path = f_other;\nCREATE TABLE a (id int);\nSET ROLE NONE;\n");
    file("2_b.up.sql", "CREATE TABLE b (id int);\n");
    PgEndpoint direct = stack.env().direct();
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setJdbcUrl(direct.jdbcUrl());
    config.setUsername(direct.user());
    config.setPassword(direct.password());
    config.setSchema("f_path");
    config.setMaximumPoolSize(1);
    try (com.zaxxer.hikari.HikariDataSource hikari =
        new com.zaxxer.hikari.HikariDataSource(config)) {
      Migrator.of(hikari, dir).up();
      assertThat(query(hikari, "SELECT current_schema(), current_setting('lock_timeout')"))
          .containsExactly("f_path|0");
    }
    assertThat(query(ds, "SELECT version FROM f_path.schema_migrations")).containsExactly("2");
    assertThat(query(ds, "SELECT to_regclass('f_other.schema_migrations')"))
        .containsExactly("null");
    // A file's SET ends with it: the next file runs with the session the pool handed over.
    assertThat(
            query(
                ds,
                "SELECT to_regclass('f_other.a') IS NOT NULL, to_regclass('f_path.b') IS NOT NULL"))
        .containsExactly("t|t");
  }

  @Test
  void create_index_concurrently_waits_for_old_transactions_without_lock_timeout(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_cic");
    file("1_t.up.sql", "CREATE TABLE t (id int);\n");
    Migrator.of(ds, dir).up();
    file("2_idx.up.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");
    Migrator migrator =
        Migrator.builder(ds, MigrationLocation.folder(dir))
            .lockTimeout(Duration.ofMillis(200))
            .build();
    try (Connection old = ds.getConnection();
        Statement s = old.createStatement()) {
      old.setAutoCommit(false);
      s.execute("SELECT txid_current()"); // an old transaction CIC must wait for
      CompletableFuture<MigrateResult> run = CompletableFuture.supplyAsync(migrator::up);
      waitFor(
          ds,
          "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%'"
              + " AND wait_event_type = 'Lock'");
      Thread.sleep(600); // three lock_timeouts: with one, CIC would have failed by now
      assertThat(run).isNotDone();
      old.commit();
      assertThat(run.get().steps()).extracting(MigrationStep::version).containsExactly(2L);
    }
    assertThat(
            query(ds, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'f_cic.t_id'::regclass"))
        .containsExactly("t");
  }

  @Test
  void invalid_index_left_by_a_failed_cic_is_reported_with_the_fix(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_invalid");
    file("1_t.up.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (1);\n");
    file(
        "2_idx.up.sql",
        "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY t_v ON t (id);\n"
            + "CREATE UNIQUE INDEX CONCURRENTLY t_id ON t (id);\n");
    Migrator migrator = Migrator.of(ds, dir);
    assertThatThrownBy(migrator::up)
        .hasMessageContaining("could not create unique index")
        .hasMessageContaining(
            "statement 1 of 2 (line 2) ran and stays applied; statement 2 (line 3) failed.");
    assertThat(migrator.warnings())
        .singleElement()
        .asString()
        .startsWith("index t_id on t is INVALID")
        .contains("DROP INDEX CONCURRENTLY \"f_invalid\".\"t_id\"");
  }

  @Test
  void copy_from_stdin_and_rules_with_parentheses_apply(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "f_copy");
    file(
        "1_a.up.sql",
        "CREATE TABLE a (id int, v text);\nCREATE TABLE log (id int);\n"
            + "CREATE RULE r AS ON INSERT TO a DO ALSO (INSERT INTO log VALUES (NEW.id);"
            + " INSERT INTO log VALUES (-NEW.id));\n"
            + "COPY a (id, v) FROM stdin;\n1\tone;x\n2\ttwo\n\\.\nINSERT INTO a VALUES (3, 'three');\n");
    Migrator.of(ds, dir).up();
    assertThat(query(ds, "SELECT string_agg(v, ',' ORDER BY id) FROM a"))
        .containsExactly("one;x,two,three");
    // The rule fires for the INSERT only: COPY FROM does not invoke rules (PostgreSQL's COPY page).
    assertThat(query(ds, "SELECT count(*) FROM log")).containsExactly("2");
  }

  @Test
  void flyway_folder_applied_by_strata_reads_back_in_flyway_and_flyway_goes_on(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_flyway");
    file("V1__create_fw.sql", "create table fw(x int);\n");
    file("V2__more.sql", "alter table fw add column y int;\r\n");
    file("R__view.sql", "create or replace view fw_v as select x from fw;\n");
    file("U2__more.sql", "alter table fw drop column y;\n");
    Migrator migrator = Migrator.of(ds, dir);
    assertThat(migrator.format()).isEqualTo(FolderFormat.FLYWAY);
    assertThat(migrator.up().steps())
        .extracting(MigrationStep::fileName)
        .containsExactly("V1__create_fw.sql", "V2__more.sql", "R__view.sql");

    PgEndpoint direct = stack.env().direct();
    Flyway flyway =
        Flyway.configure()
            .dataSource(direct.jdbcUrl(), direct.user(), direct.password())
            .schemas("f_flyway")
            .defaultSchema("f_flyway")
            .locations("filesystem:" + dir)
            .load();
    assertThat(flyway.validateWithResult().validationSuccessful).isTrue();
    assertThat(flyway.info().all())
        .extracting(MigrationInfo::getState)
        .containsOnly(MigrationState.SUCCESS);

    // Flyway itself applies the next one; Strata agrees.
    file("V3__z.sql", "alter table fw add column z int;\n");
    assertThat(flyway.migrate().migrationsExecuted).isEqualTo(1);
    assertThat(migrator.status())
        .extracting(MigrationStatus::state)
        .containsOnly(MigrationStatus.State.APPLIED);
    assertThat(migrator.up().steps()).isEmpty();
    assertThatThrownBy(() -> migrator.down(1)).hasMessageContaining(dir + "/U3__z.sql");
  }

  @Test
  void prisma_folder_is_recorded_as_prisma_migrate_deploy_records_it(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "f_prisma");
    String init = "-- CreateTable\nCREATE TABLE \"User\" (id TEXT PRIMARY KEY, email TEXT);\n";
    file("20260101000000_init/migration.sql", init);
    file("20260102000000_more/migration.sql", "ALTER TABLE \"User\" ADD COLUMN name TEXT;\n");
    file("migration_lock.toml", "provider = \"postgresql\"\n");
    Migrator migrator = Migrator.of(ds, dir);
    assertThat(migrator.up().migrationsExecuted()).isEqualTo(2);

    // The table as Prisma's schema engine creates it (Prisma docs, "About the migration history").
    assertThat(
            query(
                ds,
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                    + " WHERE table_schema = 'f_prisma' AND table_name = '_prisma_migrations'"
                    + " ORDER BY ordinal_position"))
        .containsExactly(
            "id|character varying|NO",
            "checksum|character varying|NO",
            "finished_at|timestamp with time zone|YES",
            "migration_name|character varying|NO",
            "logs|text|YES",
            "rolled_back_at|timestamp with time zone|YES",
            "started_at|timestamp with time zone|NO",
            "applied_steps_count|integer|NO");
    String sha =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(init.getBytes(StandardCharsets.UTF_8)));
    assertThat(
            query(
                ds,
                "SELECT migration_name, checksum, finished_at IS NOT NULL, rolled_back_at IS NULL,"
                    + " applied_steps_count, length(id) FROM _prisma_migrations ORDER BY started_at,"
                    + " migration_name LIMIT 1"))
        .containsExactly("20260101000000_init|" + sha + "|t|t|1|36");

    // A migration `prisma migrate deploy` applied (its row as Prisma writes it) counts as applied.
    String third = "ALTER TABLE \"User\" ADD COLUMN age INT;\n";
    file("20260103000000_third/migration.sql", third);
    execute(
        ds,
        "ALTER TABLE \"User\" ADD COLUMN age INT; INSERT INTO _prisma_migrations (id, checksum,"
            + " finished_at, migration_name, applied_steps_count) VALUES (gen_random_uuid(), '"
            + sha256(third)
            + "', now(), '20260103000000_third', 1)");
    assertThat(migrator.up().steps()).isEmpty();
    // A failed one (finished_at NULL, as Prisma leaves it) blocks, as `prisma migrate deploy` does.
    file("20260104000000_fourth/migration.sql", "SELECT 1;\n");
    execute(
        ds,
        "INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES"
            + " (gen_random_uuid(), 'y', '20260104000000_fourth')");
    assertThatThrownBy(migrator::up)
        .hasMessageContaining("the database is dirty at version 20260104000000");
    migrator.force(20260103000000L);
    assertThat(
            query(
                ds,
                "SELECT rolled_back_at IS NOT NULL FROM _prisma_migrations WHERE migration_name = '20260104000000_fourth'"))
        .containsExactly("t");
    assertThat(migrator.up().steps())
        .extracting(MigrationStep::fileName)
        .containsExactly("20260104000000_fourth/migration.sql");
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static void waitFor(DataSource ds, String countQuery) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!query(ds, countQuery).equals(List.of("1"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + countQuery);
      }
      Thread.sleep(50);
    }
  }
}
