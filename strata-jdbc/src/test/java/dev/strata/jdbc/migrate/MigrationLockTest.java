package dev.strata.jdbc.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class MigrationLockTest {

  @Test
  void key_is_golang_migrates_advisory_lock_id() {
    // golang-migrate v4 postgres driver: GenerateAdvisoryLockId(db, schema, "schema_migrations"),
    // values computed independently with Python's zlib.crc32 (IEEE) and the same salt.
    assertThat(MigrationLock.key("app", "public", "schema_migrations")).isEqualTo(1787120056L);
    assertThat(MigrationLock.key("cli", "m_x", "schema_migrations")).isEqualTo(1253208944L);
  }
}
