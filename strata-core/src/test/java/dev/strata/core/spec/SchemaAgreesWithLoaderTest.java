package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated JSON Schema, checked by a draft-07 validator the way an editor checks strata.yaml:
 * what the loader accepts, the schema accepts (an editor must not flag a valid file), and the
 * mistakes a schema can express (unknown keys, values out of range or not allowed) it flags too.
 */
final class SchemaAgreesWithLoaderTest {
  private static final Schema SCHEMA =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(ConfigReference.schema(), InputFormat.JSON);
  private static final Map<String, String> ENV = Map.of("PG_PORT", "7000", "MODE", "session");

  static List<String> valid() {
    return List.of(
        "",
        "postgres:\n",
        SpecTemplate.render(),
        """
        postgres:
          port: 0
          databases: [shop, billing, order, user]
          settings:
            max_connections: 200
            statement_timeout: 30s
            log_min_duration_statement: 250ms
            jit: off
            shared_preload_libraries: pg_stat_statements,auto_explain
          extensions: [pg_stat_statements, citext]
          memory: 2gb
          bin_dir: /usr/lib/postgresql/15/bin
        pooler: {port: 0, mode: session, default_pool_size: 5, max_client_conn: "50"}
        redis: {port: 0, maxmemory: 64mb, policy: noeviction, persistence: none, tls: false}
        security:
          tls: true
          tls_cert_file: certs/server.crt
          tls_key_file: certs/server.key
          tls_ca_file: certs/ca.crt
          bind: 0.0.0.0
          app_role: "app_{db}"
        migrations: {dir: db/migrations, lock_timeout: 0, statement_timeout: 1h}
        tenancy:
          column: customer_id
          columns: {customers: id}
          tables: [orders, invoices]
          shared: [plans]
          tenant_setting: app.tenant
        """,
        "postgres:\n  port: ${PG_PORT:-5432}\npooler:\n  mode: ${MODE}\n  port: ${POOL_PORT:-6433}\n",
        "redis:\n  tls: auto\n  maxmemory: 1073741824\nsecurity:\n  tls: TRUE\n");
  }

  static List<String> invalid() {
    return List.of(
        "postgress:\n  port: 1\n",
        "postgres:\n  databses: [app]\n",
        "postgres:\n  port: 70000\n",
        "postgres:\n  databases: [Shop]\n",
        "postgres:\n  settings: {listen_addresses: \"*\"}\n",
        "postgres:\n  settings: {port: 5433}\n",
        "postgres:\n  memory: lots\n",
        "pooler:\n  mode: random\n",
        "pooler:\n  default_pool_size: 0\n",
        "redis:\n  policy: random\n",
        "redis:\n  tls: maybe\n",
        "security:\n  tls: yes please\n",
        "security:\n  app_role: app\n",
        "migrations:\n  lock_timeout: 10\n",
        "tenancy:\n  tables: everything\n",
        "tenancy:\n  colums: {a: b}\n");
  }

  @ParameterizedTest
  @MethodSource("valid")
  void what_the_loader_accepts_the_schema_accepts(String yaml) {
    SpecLoader.parse(yaml, "strata.yaml", ENV::get);
    assertThat(errors(yaml)).as(yaml).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void what_the_schema_flags_the_loader_refuses(String yaml) {
    assertThatThrownBy(() -> SpecLoader.parse(yaml, "strata.yaml", ENV::get))
        .isInstanceOf(SpecException.class);
    assertThat(errors(yaml)).as(yaml).isNotEmpty();
  }

  @Test
  void the_schema_names_the_unknown_key() {
    assertThat(errors("postgres:\n  databses: [app]\n").toString()).contains("databses");
  }

  private static List<String> errors(String yaml) {
    List<Error> errors = SCHEMA.validate(yaml.isEmpty() ? "~" : yaml, InputFormat.YAML);
    return errors.stream().map(Error::toString).toList();
  }
}
