package dev.strata.ops.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ExtensionsTest {
  @TempDir Path dir;

  @Test
  void an_extension_maps_to_the_debian_package_strata_up_installs() {
    assertThat(Extensions.debianPackage("15", "pg_partman")).isEqualTo("postgresql-15-partman");
    assertThat(Extensions.debianPackage("15", "vector")).isEqualTo("postgresql-15-pgvector");
    assertThat(Extensions.debianPackage("16", "pg_hint_plan")).isEqualTo("postgresql-16-hint-plan");
  }

  @Test
  void pg_partman_goes_into_its_own_schema_and_the_owner_may_manage_partitions() {
    StrataSpec spec =
        SpecLoader.parse(
            "postgres:\n  databases: [cryb]\n  extensions: [pg_stat_statements, pg_partman]\n",
            "strata.yaml",
            name -> null);
    String sql =
        new PostgresBootstrap(spec, Secrets.open(dir.resolve("secrets"))).databaseSql("cryb");
    assertThat(sql)
        .contains("CREATE EXTENSION IF NOT EXISTS \"pg_stat_statements\";")
        .contains("CREATE SCHEMA IF NOT EXISTS partman;")
        .contains("CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;")
        .contains("GRANT ALL ON ALL TABLES IN SCHEMA partman TO \"cryb_owner\";")
        .contains("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO \"cryb_owner\";")
        .doesNotContain("CREATE EXTENSION IF NOT EXISTS pg_partman;");
    String without =
        new PostgresBootstrap(
                SpecLoader.parse("postgres:\n  databases: [cryb]\n", "strata.yaml", n -> null),
                Secrets.open(dir.resolve("secrets")))
            .databaseSql("cryb");
    assertThat(without).doesNotContain("partman");
  }
}
