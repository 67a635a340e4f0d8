package dev.strata.jdbc.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class MigrationLockTest {

  /**
   * Values produced by golang-migrate's own code: database/util.go {@code GenerateAdvisoryLockId}
   * at commit 18966c755f83de2b250dd8e766bad8b769cd0e25 (as database/postgres calls it: database
   * name, then schema and table), copied unchanged into a main package and run once with Debian's
   * golang-go 1.19 ({@code go run main.go}), printing {@code GenerateAdvisoryLockId(db, schema,
   * table)} for each case below.
   */
  @Test
  void key_is_the_value_golang_migrates_code_produces() {
    assertThat(MigrationLock.key("app", "public", "schema_migrations")).isEqualTo(1787120056L);
    assertThat(MigrationLock.key("hosterizer", "public", "schema_migrations"))
        .isEqualTo(3151503748L);
    assertThat(MigrationLock.key("bench", "strata_1", "schema_migrations")).isEqualTo(1592612522L);
    assertThat(MigrationLock.key("postgres", "public", "schema_migrations")).isEqualTo(143310882L);
  }

  @Test
  void prisma_folders_take_prismas_own_lock() {
    // prisma-engines' PostgreSQL connector: SELECT pg_advisory_lock(72707369).
    assertThat(MigrationLock.key(FolderFormat.PRISMA, "app", "public")).isEqualTo(72707369L);
    assertThat(MigrationLock.key(FolderFormat.GOLANG_MIGRATE, "app", "public"))
        .isEqualTo(1787120056L);
  }
}
