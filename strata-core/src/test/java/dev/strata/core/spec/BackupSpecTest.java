package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupSpecTest {

  private static BackupSpec parse(String yaml) {
    return SpecLoader.parse(yaml, "strata.yaml", name -> null).backup();
  }

  @Test
  void with_no_section_backups_are_on_encrypted_and_compressed() {
    BackupSpec b = parse("");
    assertThat(b.enabled()).isTrue();
    assertThat(b.encryption()).isTrue();
    assertThat(b.path()).isEqualTo(".strata/backups");
    assertThat(b.compress()).isEqualTo("zst");
    assertThat(b.retentionFull()).isEqualTo(2);
    assertThat(b.retentionDiff()).isEmpty();
    assertThat(b.processMax()).isEmpty();
    assertThat(b.archiveTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(b.checks()).isEmpty();
  }

  @Test
  void checks_and_retention_are_read() {
    BackupSpec b =
        parse(
            "backup:\n  retention_full: 4\n  retention_diff: 6\n  process_max: 3\n  checks:\n"
                + "    customers: {sql: \"SELECT count(*) FROM customers\", expect: \"3\"}\n");
    assertThat(b.retentionFull()).isEqualTo(4);
    assertThat(b.retentionDiff()).isEqualTo(Optional.of(6));
    assertThat(b.processMax()).isEqualTo(Optional.of(3));
    assertThat(b.checks())
        .containsExactly(
            new BackupSpec.Check("customers", "", "SELECT count(*) FROM customers", "3"));
  }

  @Test
  void a_check_without_expect_is_refused_at_its_key() {
    try {
      parse("backup:\n  checks:\n    broken: {sql: \"SELECT 1\"}\n");
      fail("expected a SpecException");
    } catch (SpecException e) {
      assertThat(e.getMessage()).contains("backup.checks.broken").contains("sql and expect");
    }
  }
}
