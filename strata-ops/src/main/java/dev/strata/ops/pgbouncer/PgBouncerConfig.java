package dev.strata.ops.pgbouncer;

import dev.strata.core.spec.StrataSpec;
import java.nio.file.Path;
import java.util.Map;

/** Renders pgbouncer.ini and its auth file. */
public final class PgBouncerConfig {
  private PgBouncerConfig() {}

  /**
   * The {@code [databases]} section of a one-node stack: each database at PostgreSQL's Unix socket.
   * PgBouncer authenticates to PostgreSQL with the client's SCRAM keys (the auth file holds the
   * very verifiers PostgreSQL has).
   */
  public static String databases(StrataSpec spec, Path pgSocketDir, int pgPort) {
    StringBuilder databases = new StringBuilder("[databases]\n");
    for (String db : spec.postgres().databases()) {
      databases
          .append(db)
          .append(" = host=")
          .append(pgSocketDir)
          .append(" port=")
          .append(pgPort)
          .append(" dbname=")
          .append(db)
          .append('\n');
    }
    return databases.toString();
  }

  /**
   * The ini file of process {@code k} of {@code processes}, with {@code databases} as its databases
   * part: a {@code [databases]} section, or an {@code %include} of a file that has one (a highly
   * available stack's, rewritten on failover). Each process has its own log, pid file and socket
   * folder, its share of the pool, and the lines that let it share the port.
   */
  public static String renderIni(
      StrataSpec spec,
      int port,
      Path tlsDir,
      String databases,
      PgBouncerProcesses processes,
      int k) {
    Path dir = processes.dir();
    StringBuilder ini =
        new StringBuilder(
            "; Written by strata up from strata.yaml; changes here are overwritten.\n");
    ini.append(databases);
    ini.append("\n[pgbouncer]\n");
    line(ini, "listen_addr", spec.security().bind());
    line(ini, "listen_port", Integer.toString(port));
    line(ini, "unix_socket_dir", processes.count() == 1 ? "" : processes.socketDir(k).toString());
    line(ini, "auth_type", "scram-sha-256");
    line(ini, "auth_file", dir.resolve("userlist.txt").toString());
    line(ini, "pool_mode", spec.pooler().mode());
    line(
        ini,
        "default_pool_size",
        Integer.toString(processes.poolSize(spec.pooler().defaultPoolSize())));
    line(ini, "max_client_conn", Integer.toString(spec.pooler().maxClientConn()));
    line(ini, "stats_users", spec.security().monitorRole());
    line(ini, "ignore_startup_parameters", "extra_float_digits,options");
    line(ini, "logfile", processes.log(k).toString());
    line(ini, "pidfile", processes.pidFile(k).toString());
    line(ini, "log_connections", "1");
    line(ini, "log_disconnections", "1");
    if (spec.security().tls()) {
      line(ini, "client_tls_sslmode", "require");
      line(ini, "client_tls_key_file", tlsDir.resolve("server.key").toString());
      line(ini, "client_tls_cert_file", tlsDir.resolve("server.crt").toString());
      line(ini, "client_tls_ca_file", tlsDir.resolve("ca.crt").toString());
      line(ini, "client_tls_protocols", "secure");
    }
    ini.append(processes.settings(k));
    return ini.toString();
  }

  /** userlist.txt: one {@code "role" "SCRAM-SHA-256$..."} line per login role. */
  public static String renderUserlist(Map<String, String> verifiers) {
    StringBuilder out = new StringBuilder();
    verifiers.forEach(
        (role, verifier) ->
            out.append('"').append(role).append("\" \"").append(verifier).append("\"\n"));
    return out.toString();
  }

  private static void line(StringBuilder ini, String key, String value) {
    ini.append(key).append(" = ").append(value).append('\n');
  }
}
