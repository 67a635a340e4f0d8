package dev.strata.ops.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

final class PostgresSettingsTest {

  @Test
  void preload_libraries_of_several_components_are_merged_in_order() {
    Map<String, String> merged =
        new PostgresSettings()
            .add("postgres-1", Map.of("shared_preload_libraries", "pg_stat_statements"))
            .add("backup", Map.of("shared_preload_libraries", "pgaudit, pg_stat_statements"))
            .toMap();
    assertThat(merged).containsEntry("shared_preload_libraries", "pg_stat_statements,pgaudit");
  }

  @Test
  void two_components_that_disagree_on_a_setting_are_a_defect_named_at_once() {
    PostgresSettings settings =
        new PostgresSettings()
            .add("backup", Map.of("archive_command", "pgbackrest archive-push %p"));
    assertThatThrownBy(() -> settings.add("other", Map.of("archive_command", "cp %p /x")))
        .hasMessageContaining("backup sets archive_command")
        .hasMessageContaining("other sets it to 'cp %p /x'");
  }

  @Test
  void the_same_value_from_two_components_is_fine() {
    Map<String, String> merged =
        new PostgresSettings()
            .add("a", Map.of("wal_level", "replica"))
            .add("b", Map.of("wal_level", "replica"))
            .toMap();
    assertThat(merged).containsEntry("wal_level", "replica");
  }
}
