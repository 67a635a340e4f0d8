package dev.strata.jdbc.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class LockInfoTest {
  @Test
  void alter_table_blocks_reads_and_writes_and_cic_blocks_neither() {
    assertThat(LockInfo.of("alter table accounts add column name text"))
        .startsWith("ACCESS EXCLUSIVE");
    assertThat(LockInfo.of("CREATE INDEX CONCURRENTLY a ON t (x)"))
        .startsWith("none that blocks reads or writes");
    assertThat(LockInfo.of("create unique index a on t (x)")).startsWith("SHARE on the table");
    assertThat(LockInfo.of("ALTER TABLE t VALIDATE CONSTRAINT c"))
        .startsWith("SHARE UPDATE EXCLUSIVE");
    assertThat(LockInfo.of("create table c(x int)")).isEqualTo("none on existing tables");
    assertThat(LockInfo.of("LISTEN x")).startsWith("unknown");
  }
}
