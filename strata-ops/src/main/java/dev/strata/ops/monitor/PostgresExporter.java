package dev.strata.ops.monitor;

import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Debian's prometheus-postgres-exporter, connected to the primary as the {@code strata_monitor}
 * role (a member of pg_monitor, which the bootstrap creates) over TCP with SCRAM, and TLS when the
 * stack has it. It discovers every database, so per-table statistics cover each of them.
 */
final class PostgresExporter extends DetachedServer {

  PostgresExporter(ComponentContext context, Instance instance) {
    super(context, instance, MonitoringBinaries.POSTGRES_EXPORTER);
  }

  @Override
  public List<String> dependsOn() {
    return List.of(context.topology().first(Kind.POSTGRES).id());
  }

  @Override
  protected Map<String, String> files() {
    return Map.of("queries.yaml", PostgresQueries.YAML);
  }

  @Override
  protected List<String> arguments() {
    return List.of(
        "--web.listen-address=" + instance.endpoint(),
        "--auto-discover-databases",
        "--exclude-databases=template0,template1",
        "--extend.query-path=" + dir.resolve("queries.yaml"),
        "--log.level=warn");
  }

  /** The connection string, with the password: only ever in the environment. */
  @Override
  protected Map<String, String> environment() {
    Instance pg = context.postgresPrimary();
    String role = context.spec().security().monitorRole();
    String password = context.secrets().get(StackEnvs.postgresSecret(role));
    String tls =
        context.spec().security().tls()
            ? "sslmode=verify-ca&sslrootcert=" + context.dir().caFile()
            : "sslmode=disable";
    return Map.of(
        "DATA_SOURCE_NAME",
        "postgresql://"
            + role
            + ":"
            + URLEncoder.encode(password, StandardCharsets.UTF_8)
            + "@"
            + pg.endpoint()
            + "/postgres?"
            + tls);
  }

  @Override
  protected String healthPath() {
    return "/metrics";
  }
}
