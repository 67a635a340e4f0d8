package dev.strata.ops.postgres;

import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.component.PostgresSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Renders postgresql.conf and pg_hba.conf for a stack. */
public final class PostgresConfig {
  private PostgresConfig() {}

  /** Extensions that work only when their library is preloaded at server start. */
  private static final Set<String> PRELOADED =
      Set.of("pg_stat_statements", "pgaudit", "pg_cron", "pg_partman_bgw", "timescaledb");

  /**
   * The settings, in the order written: Strata's, the derived memory settings, what the stack's
   * components contribute ({@code contributed}), then the user's overrides, which win — but a list
   * setting such as {@code shared_preload_libraries} keeps what the components need and adds the
   * user's entries.
   */
  public static Map<String, String> settings(
      StrataSpec spec, int port, Path socketDir, Path tlsDir, Map<String, String> contributed) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("listen_addresses", spec.security().bind());
    s.put("port", Integer.toString(port));
    s.put("unix_socket_directories", socketDir.toString());
    s.put("unix_socket_permissions", "0700");
    s.put("max_connections", Integer.toString(PostgresTuning.MAX_CONNECTIONS));
    s.put("password_encryption", "scram-sha-256");
    if (spec.security().tls()) {
      s.put("ssl", "on");
      s.put("ssl_cert_file", tlsDir.resolve("server.crt").toString());
      s.put("ssl_key_file", tlsDir.resolve("server.key").toString());
      s.put("ssl_min_protocol_version", "TLSv1.2");
    }
    s.putAll(
        PostgresTuning.forMemory(
            spec.postgres().memory().orElseGet(PostgresTuning::machineMemory)));
    s.putAll(contributed);
    s.put("log_destination", "stderr");
    s.put("logging_collector", "off");
    s.put("log_min_duration_statement", "100ms");
    s.put("log_connections", "on");
    s.put("log_disconnections", "on");
    s.put("log_statement", "ddl");
    s.put("log_lock_waits", "on");
    s.put("log_temp_files", "0");
    s.put("log_line_prefix", "%m [%p] %q%u@%d ");
    s.put("timezone", "UTC");
    spec.postgres()
        .settings()
        .forEach(
            (name, value) ->
                s.merge(
                    name,
                    value,
                    (ours, theirs) ->
                        PostgresSettings.LISTS.contains(name)
                            ? PostgresSettings.union(ours, theirs)
                            : theirs));
    return s;
  }

  /**
   * What the listed extensions need in postgresql.conf: their libraries in {@code
   * shared_preload_libraries}, and pg_stat_statements tracking nested statements too.
   */
  public static Map<String, String> extensionSettings(List<String> extensions) {
    Map<String, String> s = new LinkedHashMap<>();
    List<String> preload = extensions.stream().filter(PRELOADED::contains).toList();
    if (!preload.isEmpty()) {
      s.put("shared_preload_libraries", String.join(",", preload));
    }
    if (extensions.contains("pg_stat_statements")) {
      s.put("pg_stat_statements.track", "all");
    }
    return s;
  }

  public static String renderConf(Map<String, String> settings) {
    StringBuilder out =
        new StringBuilder(
            "# Written by strata up from strata.yaml; changes here are overwritten.\n");
    settings.forEach(
        (k, v) -> out.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
    return out.toString();
  }

  /**
   * Client authentication: the superuser only over the Unix socket as its own OS user (peer); every
   * other role with SCRAM-SHA-256, over TCP only with TLS when TLS is on. No {@code trust}.
   */
  public static String renderHba(StrataSpec spec, String superuser) {
    String host = spec.security().tls() ? "hostssl" : "host";
    List<String> networks = networks(spec.security().bind());
    StringBuilder out =
        new StringBuilder("# Written by strata up; changes here are overwritten.\n");
    out.append("local   all  ").append(superuser).append("  peer\n");
    out.append("local   all  all  scram-sha-256\n");
    for (String net : networks) {
      out.append("host    all  ").append(superuser).append("  ").append(net).append("  reject\n");
    }
    for (String net : networks) {
      out.append(host).append(" all  all  ").append(net).append("  scram-sha-256\n");
    }
    return out.toString();
  }

  private static List<String> networks(String bind) {
    if (bind.equals("127.0.0.1") || bind.equals("localhost") || bind.equals("::1")) {
      return List.of("127.0.0.1/32", "::1/128");
    }
    return List.of("0.0.0.0/0", "::/0");
  }
}
