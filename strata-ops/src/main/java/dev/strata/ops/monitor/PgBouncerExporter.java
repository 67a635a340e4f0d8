package dev.strata.ops.monitor;

import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.pgbouncer.PgBouncerProcesses;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's prometheus-pgbouncer-exporter (1.7, Python), connected to PgBouncer's admin console as
 * the {@code strata_monitor} role (one of its {@code stats_users}), run through a small launcher
 * that fixes what breaks it on PgBouncer ≥ 1.8 (see {@link PgBouncerExporterLauncher}).
 */
final class PgBouncerExporter extends DetachedServer {
  private static final String LAUNCHER = "launcher.py";

  PgBouncerExporter(ComponentContext context, Instance instance) {
    super(context, instance, MonitoringBinaries.PGBOUNCER_EXPORTER);
  }

  @Override
  public List<String> dependsOn() {
    return List.of(context.topology().first(Kind.POOLER).id());
  }

  @Override
  protected Map<String, String> files() {
    return Map.of(LAUNCHER, PgBouncerExporterLauncher.SCRIPT);
  }

  @Override
  protected List<String> program() {
    return List.of("python3", dir.resolve(LAUNCHER).toString());
  }

  @Override
  protected String processName() {
    return "python3";
  }

  @Override
  protected List<String> arguments() {
    Instance pooler = context.topology().first(Kind.POOLER);
    return List.of(
        "--host",
        instance.host(),
        "--port",
        Integer.toString(instance.port()),
        "--pgbouncer-host",
        pooler.host(),
        "--pgbouncer-port",
        Integer.toString(pooler.port()),
        "--pgbouncer-user",
        context.spec().security().monitorRole());
  }

  /** libpq reads the password and the TLS mode from the environment. */
  @Override
  protected Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    String role = context.spec().security().monitorRole();
    env.put("PGPASSWORD", context.secrets().get(StackEnvs.postgresSecret(role)));
    if (context.spec().security().tls()) {
      env.put("PGSSLMODE", "verify-ca");
      env.put("PGSSLROOTCERT", context.dir().caFile().toString());
    } else {
      env.put("PGSSLMODE", "disable");
    }
    // Several PgBouncer processes: each is asked over its own socket (libpq uses no TLS there).
    List<Path> sockets = PgBouncerProcesses.of(context).socketDirs();
    if (!sockets.isEmpty()) {
      env.put(
          "STRATA_PGBOUNCER_SOCKETS",
          String.join("\n", sockets.stream().map(Path::toString).toList()));
    }
    return env;
  }

  @Override
  protected String healthPath() {
    return "/metrics";
  }

  @Override
  protected List<String> versionCommand() {
    return List.of("dpkg-query", "-W", "-f", "version ${Version}", "prometheus-pgbouncer-exporter");
  }
}
