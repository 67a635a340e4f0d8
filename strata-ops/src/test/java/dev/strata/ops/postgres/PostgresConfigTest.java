package dev.strata.ops.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class PostgresConfigTest {

  private static Map<String, String> settings(String yaml, Map<String, String> contributed) {
    StrataSpec spec = SpecLoader.parse(yaml, "strata.yaml", name -> null);
    return PostgresConfig.settings(spec, 5432, Path.of("/run"), Path.of("/tls"), contributed);
  }

  @Test
  void the_listed_extensions_decide_what_is_preloaded() {
    assertThat(
            PostgresConfig.extensionSettings(
                java.util.List.of("pg_stat_statements", "pgaudit", "hstore")))
        .containsEntry("shared_preload_libraries", "pg_stat_statements,pgaudit")
        .containsEntry("pg_stat_statements.track", "all");
    assertThat(PostgresConfig.extensionSettings(java.util.List.of("hstore"))).isEmpty();
  }

  @Test
  void a_users_preload_libraries_are_added_to_what_components_need_not_put_in_their_place() {
    Map<String, String> s =
        settings(
            "postgres:\n  settings:\n    shared_preload_libraries: auto_explain\n",
            Map.of("shared_preload_libraries", "pg_stat_statements"));
    assertThat(s).containsEntry("shared_preload_libraries", "pg_stat_statements,auto_explain");
  }

  @Test
  void other_user_settings_win_over_what_components_contribute() {
    Map<String, String> s =
        settings(
            "postgres:\n  settings:\n    wal_level: logical\n", Map.of("wal_level", "replica"));
    assertThat(s).containsEntry("wal_level", "logical");
  }
}
