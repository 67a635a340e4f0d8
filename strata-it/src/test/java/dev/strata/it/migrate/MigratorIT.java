package dev.strata.it.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.jdbc.migrate.DatabaseVersion;
import dev.strata.jdbc.migrate.MigrateResult;
import dev.strata.jdbc.migrate.MigrationLocation;
import dev.strata.jdbc.migrate.MigrationStatus;
import dev.strata.jdbc.migrate.MigrationStep;
import dev.strata.jdbc.migrate.Migrator;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The migration engine against a real PostgreSQL: each test in its own schema. */
@StrataTest
final class MigratorIT {
  @TempDir Path dir;

  /** A DataSource on the owner's direct connection whose current schema is a fresh {@code name}. */
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

  private void file(String name, String sql) throws IOException {
    Files.writeString(dir.resolve(name), sql);
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

  private void threeMigrations() throws IOException {
    file("000001_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
    file("000001_users.down.sql", "DROP TABLE users;\n");
    file("000002_orders.up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
    file("000002_orders.down.sql", "DROP TABLE orders;\n");
    file("000003_email_index.up.sql", "CREATE INDEX users_email ON users (email);\n");
    file("000003_email_index.down.sql", "DROP INDEX users_email;\n");
  }

  @Test
  void up_down_goto_move_the_version_like_golang_migrate(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_updown");
    threeMigrations();
    Migrator migrator = Migrator.of(ds, dir);

    assertThat(migrator.up(2).steps()).extracting(MigrationStep::version).containsExactly(1L, 2L);
    assertThat(query(ds, "SELECT version, dirty FROM schema_migrations")).containsExactly("2|f");
    assertThat(migrator.up().steps()).extracting(MigrationStep::version).containsExactly(3L);
    assertThat(migrator.up().steps()).isEmpty();

    assertThat(migrator.down(1).steps())
        .extracting(MigrationStep::versionAfter)
        .containsExactly(2L);
    assertThat(query(ds, "SELECT to_regclass('users_email') IS NULL")).containsExactly("t");
    assertThat(migrator.goTo(1).steps()).extracting(MigrationStep::version).containsExactly(2L);
    assertThat(migrator.version()).isEqualTo(new DatabaseVersion(1, false));
    assertThat(migrator.goTo(3).steps()).extracting(MigrationStep::version).containsExactly(2L, 3L);

    assertThat(migrator.downAll().steps())
        .extracting(MigrationStep::version)
        .containsExactly(3L, 2L, 1L);
    assertThat(query(ds, "SELECT count(*) FROM schema_migrations")).containsExactly("0");
    assertThat(query(ds, "SELECT to_regclass('users') IS NULL")).containsExactly("t");
    assertThat(
            query(
                ds, "SELECT direction, count(*) FROM strata_migrations_log GROUP BY 1 ORDER BY 1"))
        .containsExactly("down|5", "up|5");
    assertThat(query(ds, "SELECT DISTINCT applied_by FROM strata_migrations_log"))
        .containsExactly(stack.env().direct().user());
  }

  @Test
  void failure_mid_way_keeps_the_version_and_names_file_and_line(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "m_fail");
    file("1_a.up.sql", "CREATE TABLE a (id int);\n");
    file(
        "2_b.up.sql",
        "-- adds b\nCREATE TABLE b (id int);\n\nINSERT INTO b\n  SELECT id, nope FROM a;\n");
    Migrator migrator = Migrator.of(ds, dir);

    assertThatThrownBy(migrator::up)
        .isInstanceOf(StrataException.class)
        .hasMessageStartingWith(
            dir + "/2_b.up.sql:5: ERROR: column \"nope\" does not exist (SQLSTATE 42703)")
        .hasMessageContaining("rolled back: the database is still at version 1 and not dirty");
    assertThat(migrator.version()).isEqualTo(new DatabaseVersion(1, false));
    assertThat(query(ds, "SELECT to_regclass('b') IS NULL")).containsExactly("t");
  }

  @Test
  void no_transaction_file_creates_an_index_concurrently(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_notx");
    file(
        "1_t.up.sql",
        "CREATE TABLE t (id int, v text);\nINSERT INTO t SELECT g, 'x' FROM generate_series(1, 1000) g;\n");
    file(
        "2_t_v.up.sql",
        "-- strata:no-transaction\n"
            + "CREATE INDEX CONCURRENTLY t_v ON t (v);\n"
            + "CREATE INDEX CONCURRENTLY t_id ON t (id);\n");
    file(
        "2_t_v.down.sql",
        "-- strata:no-transaction\nDROP INDEX CONCURRENTLY t_v;\nDROP INDEX CONCURRENTLY t_id;\n");
    Migrator migrator = Migrator.of(ds, dir);

    migrator.up();
    assertThat(
            query(
                ds,
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 't' ORDER BY 1"))
        .containsExactly("t_id", "t_v");
    assertThat(migrator.version()).isEqualTo(new DatabaseVersion(2, false));
    migrator.down(1);
    assertThat(
            query(
                ds,
                "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 't'"))
        .containsExactly("0");
  }

  @Test
  void failed_no_transaction_file_leaves_the_version_dirty_until_forced(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "m_dirty");
    file("1_t.up.sql", "CREATE TABLE t (id int);\n");
    file(
        "2_idx.up.sql",
        "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\nCREATE INDEX CONCURRENTLY bad ON t (nope);\n");
    Migrator migrator = Migrator.of(ds, dir);

    assertThatThrownBy(migrator::up)
        .hasMessageStartingWith(dir + "/2_idx.up.sql:3: ERROR: column \"nope\" does not exist")
        .hasMessageContaining(
            "statement 1 of 2 (line 2) ran and stays applied; statement 2 (line 3) failed.")
        .hasMessageContaining("m_dirty.schema_migrations marks version 2 dirty (failed)")
        .extracting(e -> ((StrataException) e).fix())
        .asString()
        .contains("a failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind")
        .contains("`strata migrate force 1` if you undid it");
    assertThat(migrator.version()).isEqualTo(new DatabaseVersion(2, true));
    assertThatThrownBy(migrator::up)
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("the database is dirty at version 2");

    assertThat(migrator.force(1)).isEqualTo(new DatabaseVersion(2, true));
    assertThat(query(ds, "SELECT version, dirty FROM schema_migrations")).containsExactly("1|f");
    file(
        "2_idx.up.sql",
        "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id ON t (id);\n");
    migrator.up();
    assertThat(migrator.version()).isEqualTo(new DatabaseVersion(2, false));
  }

  @Test
  void eight_concurrent_runners_apply_each_migration_once(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_race");
    file("1_t.up.sql", "CREATE TABLE t (id int);\n");
    file("2_counter.up.sql", "CREATE TABLE runs (n int);\nINSERT INTO runs VALUES (1);\n");
    file("3_idx.up.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");
    file("4_more.up.sql", "INSERT INTO runs VALUES (4);\nSELECT pg_sleep(0.2);\n");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<MigrateResult>> runners = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        runners.add(() -> Migrator.of(ds, dir).up());
      }
      int applied = 0;
      for (Future<MigrateResult> f : pool.invokeAll(runners)) {
        applied += f.get().migrationsExecuted();
      }
      assertThat(applied).isEqualTo(4);
    } finally {
      pool.shutdownNow();
    }
    assertThat(query(ds, "SELECT n FROM runs ORDER BY n")).containsExactly("1", "4");
    assertThat(query(ds, "SELECT count(*) FROM strata_migrations_log")).containsExactly("4");
    assertThat(query(ds, "SELECT version, dirty FROM schema_migrations")).containsExactly("4|f");
  }

  @Test
  void changed_file_is_refused_with_both_checksums(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_drift");
    threeMigrations();
    Migrator.of(ds, dir).up(2);
    String applied =
        query(ds, "SELECT checksum FROM strata_migrations_log WHERE version = 2").get(0);
    file("000002_orders.up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, total int);\n");
    Migrator migrator = Migrator.of(ds, dir);

    assertThatThrownBy(migrator::up)
        .isInstanceOf(StrataException.class)
        .hasMessageContaining(
            dir
                + "/000002_orders.up.sql changed since it was applied: applied with checksum "
                + applied)
        .hasMessageContaining("the file now has ")
        .extracting(e -> ((StrataException) e).fix())
        .asString()
        .contains("accept it with `strata migrate repair`");
    assertThat(migrator.status())
        .extracting(MigrationStatus::state)
        .containsExactly(
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.CHANGED,
            MigrationStatus.State.PENDING);
    assertThat(migrator.version().version()).isEqualTo(2);

    assertThat(migrator.repair())
        .extracting(MigrationStatus::name)
        .containsExactly("000002_orders");
    assertThat(migrator.status())
        .extracting(MigrationStatus::state)
        .containsExactly(
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.PENDING);
    assertThat(migrator.up().steps()).extracting(MigrationStep::version).containsExactly(3L);
    assertThat(migrator.down(2).steps()).extracting(MigrationStep::version).containsExactly(3L, 2L);
    assertThat(migrator.repair()).isEmpty();
  }

  @Test
  void down_without_down_file_refuses_before_touching_anything(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_nodown");
    threeMigrations();
    Files.delete(dir.resolve("000002_orders.down.sql"));
    Migrator migrator = Migrator.of(ds, dir);
    migrator.up();

    assertThatThrownBy(() -> migrator.down(2))
        .isInstanceOf(StrataException.class)
        .hasMessage(
            "cannot undo: no down file "
                + dir
                + "/000002_orders.down.sql; nothing was changed (still at version 3)")
        .extracting(e -> ((StrataException) e).code())
        .isEqualTo(ErrorCode.BAD_INPUT);
    assertThat(migrator.version()).isEqualTo(new DatabaseVersion(3, false));
    assertThat(query(ds, "SELECT to_regclass('users_email') IS NOT NULL")).containsExactly("t");
  }

  @Test
  void database_left_by_golang_migrate_is_carried_on(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_golang");
    threeMigrations();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      // As golang-migrate's postgres driver leaves it after `migrate up 2`.
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_migrations"
              + " (version bigint not null primary key, dirty boolean not null);"
              + "CREATE TABLE users (id bigint PRIMARY KEY, email text);"
              + "CREATE TABLE orders (id bigint PRIMARY KEY);"
              + "TRUNCATE schema_migrations;"
              + "INSERT INTO schema_migrations (version, dirty) VALUES (2, false)");
    }
    Migrator migrator = Migrator.of(ds, dir);
    assertThat(migrator.status())
        .extracting(MigrationStatus::state)
        .containsExactly(
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.PENDING);

    assertThat(migrator.up().steps()).extracting(MigrationStep::version).containsExactly(3L);
    assertThat(query(ds, "SELECT version, dirty FROM schema_migrations")).containsExactly("3|f");
  }

  @Test
  void dirty_database_left_by_golang_migrate_is_refused(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_golang_dirty");
    threeMigrations();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);"
              + "INSERT INTO schema_migrations VALUES (1, true)");
    }
    assertThatThrownBy(() -> Migrator.of(ds, dir).up())
        .hasMessageContaining("the database is dirty at version 1");
    assertThat(query(ds, "SELECT to_regclass('orders') IS NULL")).containsExactly("t");
  }

  @Test
  void classpath_location_is_read(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_classpath");
    assertThat(Migrator.of(ds, "classpath:db/migrations").up().steps())
        .extracting(MigrationStep::fileName)
        .containsExactly("1_cp_items.up.sql");
    assertThat(query(ds, "SELECT to_regclass('cp_items') IS NOT NULL")).containsExactly("t");
  }

  @Test
  void pooled_url_is_refused(StrataStack stack) throws Exception {
    threeMigrations();
    PgEndpoint pooled = stack.env().pooled();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(pooled.jdbcUrl());
    ds.setUser(pooled.user());
    ds.setPassword(pooled.password());

    assertThatThrownBy(() -> Migrator.of(ds, dir).up())
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("migrations need a direct connection to PostgreSQL")
        .hasMessageContaining("goes through a pooler");
  }

  @Test
  void lock_timeout_stops_a_migration_waiting_on_a_busy_table(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_busy");
    file("1_t.up.sql", "CREATE TABLE t (id int);\n");
    Migrator.of(ds, dir).up();
    file("2_alter.up.sql", "ALTER TABLE t ADD COLUMN v text;\n");
    try (Connection holder = ds.getConnection();
        Statement s = holder.createStatement()) {
      holder.setAutoCommit(false);
      s.execute("LOCK TABLE t IN ACCESS SHARE MODE");
      Migrator migrator =
          Migrator.builder(ds, MigrationLocation.folder(dir))
              .lockTimeout(java.time.Duration.ofMillis(200))
              .build();
      assertThatThrownBy(migrator::up)
          .isInstanceOf(StrataException.class)
          .hasMessageStartingWith(
              dir + "/2_alter.up.sql:1: ERROR: canceling statement due to lock timeout")
          .extracting(e -> ((StrataException) e).fix())
          .asString()
          .contains("lock_timeout (200ms)");
      holder.rollback();
    }
  }

  @Test
  void role_that_cannot_create_tables_gets_the_owner_role_advice(StrataStack stack)
      throws Exception {
    threeMigrations();
    PgEndpoint pooled = stack.env().pooled();
    PgEndpoint appDirect = stack.env().direct().as(pooled.user(), pooled.password());
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(appDirect.jdbcUrl());
    ds.setUser(appDirect.user());
    ds.setPassword(appDirect.password());

    assertThatThrownBy(() -> Migrator.of(ds, dir).up())
        .isInstanceOf(StrataException.class)
        .hasMessageStartingWith("the database refused a migration step: ERROR: permission denied")
        .extracting(e -> ((StrataException) e).fix())
        .asString()
        .contains("migrate as the role that owns the schema");
  }

  @Test
  void runner_waits_for_golang_migrates_lock_then_says_who_holds_it(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "m_locked");
    threeMigrations();
    try (Connection golang = ds.getConnection();
        Statement s = golang.createStatement()) {
      // golang-migrate's lock: pg_advisory_lock(GenerateAdvisoryLockId(db, schema, table)).
      // GenerateAdvisoryLockId("app", "m_locked", "schema_migrations") = 2801729236, printed by
      // golang-migrate's own database/util.go run with Go (see MigrationLockTest).
      s.execute("SELECT pg_advisory_lock(2801729236)");
      Migrator migrator =
          Migrator.builder(ds, MigrationLocation.folder(dir))
              .lockWait(java.time.Duration.ofMillis(300))
              .build();
      assertThatThrownBy(migrator::up)
          .isInstanceOf(StrataException.class)
          .hasMessageStartingWith("another migration runner still holds the migration lock")
          .hasMessageContaining("held by pid ");
      assertThat(query(ds, "SELECT to_regclass('users') IS NULL")).containsExactly("t");
    }
    assertThat(Migrator.of(ds, dir).up().steps()).hasSize(3);
  }

  @Test
  void pooled_connection_goes_back_without_lock_or_timeouts(StrataStack stack) throws Exception {
    DataSource schema = schema(stack, "m_hikari");
    threeMigrations();
    PgEndpoint direct = stack.env().direct();
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setJdbcUrl(direct.jdbcUrl());
    config.setUsername(direct.user());
    config.setPassword(direct.password());
    config.setSchema("m_hikari");
    config.setMaximumPoolSize(1);
    try (com.zaxxer.hikari.HikariDataSource hikari =
        new com.zaxxer.hikari.HikariDataSource(config)) {
      assertThat(Migrator.of(hikari, dir).up().steps()).hasSize(3);
      assertThat(
              query(
                  hikari,
                  "SELECT current_setting('lock_timeout'), current_setting('statement_timeout'),"
                      + " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                      + " AND pid = pg_backend_pid())"))
          .containsExactly("0|0|0");
    }
    assertThat(query(schema, "SELECT version FROM schema_migrations")).containsExactly("3");
  }

  @Test
  void file_arriving_below_the_current_version_is_refused_not_skipped(StrataStack stack)
      throws Exception {
    DataSource ds = schema(stack, "m_skipped");
    file("10_a.up.sql", "CREATE TABLE a (id int);\n");
    file("30_c.up.sql", "CREATE TABLE c (id int);\n");
    Migrator migrator = Migrator.of(ds, dir);
    migrator.up();
    file("20_b.up.sql", "CREATE TABLE b (id int);\n");
    file("40_d.up.sql", "CREATE TABLE d (id int);\n");

    assertThat(migrator.status())
        .extracting(MigrationStatus::state)
        .containsExactly(
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.SKIPPED,
            MigrationStatus.State.APPLIED,
            MigrationStatus.State.PENDING);
    assertThatThrownBy(migrator::up)
        .isInstanceOf(StrataException.class)
        .hasMessage(
            dir
                + "/20_b.up.sql was never applied: its version 20 is below the database's version"
                + " 30, so it arrived after newer migrations ran")
        .extracting(e -> ((StrataException) e).fix())
        .isEqualTo(
            "give the file a version above 30 (`strata migrate create NAME` picks one) so it runs next");
    assertThat(migrator.version().version()).isEqualTo(30);

    Files.move(dir.resolve("20_b.up.sql"), dir.resolve("50_b.up.sql"));
    assertThat(migrator.up().steps()).extracting(MigrationStep::version).containsExactly(40L, 50L);
  }

  @Test
  void undone_then_deleted_file_is_not_reported_missing(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_undone");
    threeMigrations();
    Migrator migrator = Migrator.of(ds, dir);
    migrator.up();
    migrator.goTo(1);
    Files.delete(dir.resolve("000002_orders.up.sql"));
    Files.delete(dir.resolve("000002_orders.down.sql"));
    assertThat(migrator.up().steps()).extracting(MigrationStep::version).containsExactly(3L);
    assertThat(migrator.problems()).isEmpty();
  }

  @Test
  void concurrent_index_without_the_marker_says_how_to_run_it(StrataStack stack) throws Exception {
    DataSource ds = schema(stack, "m_nomarker");
    file("1_t.up.sql", "CREATE TABLE t (id int);\n\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");

    assertThatThrownBy(() -> Migrator.of(ds, dir).up())
        .isInstanceOf(StrataException.class)
        .hasMessageStartingWith(
            dir
                + "/1_t.up.sql:3: ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
        .extracting(e -> ((StrataException) e).fix())
        .asString()
        .startsWith("make `-- strata:no-transaction` the file's first line");
    assertThat(query(ds, "SELECT to_regclass('t') IS NULL")).containsExactly("t");
  }
}
