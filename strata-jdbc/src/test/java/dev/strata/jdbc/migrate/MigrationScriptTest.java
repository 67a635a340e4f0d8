package dev.strata.jdbc.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class MigrationScriptTest {
  private static MigrationScript script(String sql) {
    return MigrationScript.of(
        "migrations", "000001_tx.up.sql", sql.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void begin_commit_in_a_transactional_file_is_refused_naming_the_line() {
    assertThatThrownBy(
            () ->
                script(
                    "BEGIN;\ncreate table a(x int);\nCOMMIT;\ncreate table b(x int);\n"
                        + "select * from nowhere;\n"))
        .isInstanceOf(StrataException.class)
        .hasMessageStartingWith("migrations/000001_tx.up.sql:1: BEGIN controls the transaction")
        .hasMessageContaining("nothing ran")
        .extracting(e -> ((StrataException) e).fix())
        .asString()
        .contains("-- strata:no-transaction");
    assertThatThrownBy(() -> script("create table a(x int);\n\nCOMMIT;\n"))
        .hasMessageStartingWith("migrations/000001_tx.up.sql:3: COMMIT");
    assertThatThrownBy(() -> script("START TRANSACTION ISOLATION LEVEL SERIALIZABLE;"))
        .hasMessageContaining(":1: START TRANSACTION");
    assertThatThrownBy(() -> script("select 1;\nend;"))
        .hasMessageContaining(":2: end controls the transaction");
  }

  @Test
  void transaction_words_inside_bodies_and_savepoints_are_not_transaction_control() {
    script(
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN NEW;\nEND;\n"
            + "$$;\nSAVEPOINT a;\nROLLBACK TO SAVEPOINT a;\nRELEASE a;\n");
  }

  @Test
  void a_no_transaction_file_may_hold_its_own_transactions() {
    MigrationScript s = script("-- strata:no-transaction\nBEGIN;\nselect 1;\nCOMMIT;\n");
    assertThat(s.noTransaction()).isTrue();
    assertThat(
            MigrationScript.of(
                    "m", "V1__x.sql", "-- flyway:executeInTransaction=false\nselect 1;".getBytes())
                .noTransaction())
        .isTrue();
  }

  @Test
  void crlf_and_bom_checkouts_have_the_same_checksum() {
    MigrationScript lf = script("create table a(x int);\nselect 1;\n");
    MigrationScript crlf = script("\uFEFFcreate table a(x int);\r\nselect 1;\r\n");
    assertThat(crlf.checksum()).isEqualTo(lf.checksum());
    assertThat(crlf.rawChecksum()).isNotEqualTo(lf.rawChecksum());
    // A checksum recorded from the raw bytes (as before normalising) still matches its file.
    assertThat(crlf.matches(crlf.rawChecksum())).isTrue();
    assertThat(crlf.flywayChecksum()).isEqualTo(lf.flywayChecksum());
    assertThat(crlf.matches(script("create table b(x int);\n").checksum())).isFalse();
  }

  @Test
  void psql_meta_commands_are_refused_naming_the_line() {
    assertThatThrownBy(() -> script("select 1;\n\\i other.sql\n"))
        .isInstanceOf(StrataException.class)
        .hasMessageStartingWith("migrations/000001_tx.up.sql:2: psql meta-command \\i");
  }
}
