package dev.strata.ops.pgbouncer;

import dev.strata.core.spec.StrataSpec;
import java.nio.file.Path;
import java.util.Map;

/** Renders pgbouncer.ini and its auth file. */
public final class PgBouncerConfig {
  private PgBouncerConfig() {}

  /**
   * The ini file. PgBouncer reaches PostgreSQL over its Unix socket and authenticates to it with
   * the client's SCRAM keys (the auth file holds the very verifiers PostgreSQL has).
   */
  public static String renderIni(
      StrataSpec spec, Path dir, int port, Path pgSocketDir, int pgPort, Path tlsDir) {
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
    return renderIni(spec, dir, port, tlsDir, databases.toString());
  }

  /**
   * The ini file with {@code databases} as its databases part: a {@code [databases]} section, or an
   * {@code %include} of a file that has one (a highly available stack's, rewritten on failover).
   */
  public static String renderIni(
      StrataSpec spec, Path dir, int port, Path tlsDir, String databases) {
    StringBuilder ini =
        new StringBuilder(
            "; Written by strata up from strata.yaml; changes here are overwritten.\n");
    ini.append(databases);
    ini.append("\n[pgbouncer]\n");
    line(ini, "listen_addr", spec.security().bind());
    line(ini, "listen_port", Integer.toString(port));
    line(ini, "unix_socket_dir", "");
    line(ini, "auth_type", "scram-sha-256");
    line(ini, "auth_file", dir.resolve("userlist.txt").toString());
    line(ini, "pool_mode", spec.pooler().mode());
    line(ini, "default_pool_size", Integer.toString(spec.pooler().defaultPoolSize()));
    line(ini, "max_client_conn", Integer.toString(spec.pooler().maxClientConn()));
    line(ini, "stats_users", spec.security().monitorRole());
    line(ini, "ignore_startup_parameters", "extra_float_digits,options");
    line(ini, "logfile", dir.resolve("pgbouncer.log").toString());
    line(ini, "pidfile", dir.resolve("pgbouncer.pid").toString());
    line(ini, "log_connections", "1");
    line(ini, "log_disconnections", "1");
    if (spec.security().tls()) {
      line(ini, "client_tls_sslmode", "require");
      line(ini, "client_tls_key_file", tlsDir.resolve("server.key").toString());
      line(ini, "client_tls_cert_file", tlsDir.resolve("server.crt").toString());
      line(ini, "client_tls_ca_file", tlsDir.resolve("ca.crt").toString());
      line(ini, "client_tls_protocols", "secure");
    }
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
