package dev.strata.ops.ha;

import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.ops.backup.PgBackRest;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.PostgresConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Renders one node's patroni.yml from strata.yaml. */
final class PatroniConfig {
  /**
   * Settings Patroni passes on PostgreSQL's command line from the cluster-wide (etcd)
   * configuration: they go to {@code bootstrap.dcs}, so every node has the same.
   */
  private static final Set<String> CLUSTER_WIDE =
      Set.of(
          "max_connections",
          "max_locks_per_transaction",
          "max_worker_processes",
          "max_prepared_transactions",
          "wal_level",
          "track_commit_timestamp",
          "max_wal_senders",
          "max_replication_slots",
          "wal_log_hints",
          "hot_standby");

  private PatroniConfig() {}

  static String render(
      ComponentContext context,
      Instance node,
      int restPort,
      Secrets secrets,
      Map<String, String> contributed,
      Path callback) {
    StrataSpec spec = context.spec();
    Path folder = context.folder(node);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("scope", PatroniNode.SCOPE);
    root.put("name", node.id());
    root.put("log", Map.of("level", "INFO"));

    Map<String, Object> rest = new LinkedHashMap<>();
    rest.put("listen", "127.0.0.1:" + restPort);
    rest.put("connect_address", "127.0.0.1:" + restPort);
    rest.put(
        "authentication",
        Map.of(
            "username", PatroniNode.REST_USER, "password", secrets.get(PatroniNode.restSecret())));
    root.put("restapi", rest);

    // etcd's v2 API (see EtcdMember): the `etcd` section, not `etcd3`.
    root.put("etcd", Map.of("hosts", EtcdMember.clientHosts(context), "protocol", "http"));

    Map<String, String> settings =
        new LinkedHashMap<>(
            PostgresConfig.settings(
                spec, node.port(), context.socketDir(), context.tlsDir(), contributed));
    settings.remove("port");
    settings.remove("listen_addresses");
    Map<String, Object> clusterWide = new LinkedHashMap<>();
    clusterWide.put("wal_level", "replica");
    clusterWide.put("hot_standby", "on");
    clusterWide.put("wal_log_hints", "on"); // pg_rewind on a cluster made without it
    clusterWide.put("max_wal_senders", 10);
    clusterWide.put("max_replication_slots", 10);
    Map<String, Object> local = new LinkedHashMap<>();
    settings.forEach(
        (k, v) -> {
          if (CLUSTER_WIDE.contains(k)) {
            clusterWide.put(k, v);
          } else {
            local.put(k, v);
          }
        });
    local.putIfAbsent("wal_keep_size", "256MB");
    if (spec.backup().enabled()
        && new PgBackRest(context)
            .archiveCommand(Optional.empty())
            .equals(local.get("archive_command"))) {
      // pgBackRest's archive_command names this node's data directory (see
      // PgBackRest.archiveCommand); a user's own archive_command is left as written.
      local.put(
          "archive_command",
          new PgBackRest(context).archiveCommand(Optional.of(folder.resolve("data"))));
    }

    PatroniTimings timings = PatroniTimings.forRto(spec.postgres().rto());
    Map<String, Object> dcs = new LinkedHashMap<>();
    dcs.put("ttl", timings.ttl());
    dcs.put("loop_wait", timings.loopWait());
    dcs.put("retry_timeout", timings.retryTimeout());
    // A crashed leader fails over at once instead of being restarted in place.
    dcs.put("primary_start_timeout", 0);
    dcs.put("maximum_lag_on_failover", 1048576);
    dcs.put("synchronous_mode", spec.postgres().synchronous());
    dcs.put("synchronous_mode_strict", false);
    dcs.put(
        "postgresql", Map.of("use_pg_rewind", true, "use_slots", true, "parameters", clusterWide));
    Map<String, Object> bootstrap = new LinkedHashMap<>();
    bootstrap.put("dcs", dcs);
    bootstrap.put(
        "initdb",
        List.of(
            Map.of("encoding", "UTF8"),
            Map.of("locale", "C.UTF-8"),
            "data-checksums",
            Map.of("auth-local", "peer"),
            Map.of("auth-host", "scram-sha-256")));
    root.put("bootstrap", bootstrap);

    Map<String, Object> pg = new LinkedHashMap<>();
    pg.put("listen", spec.security().bind() + ":" + node.port());
    pg.put("connect_address", node.host() + ":" + node.port());
    pg.put("data_dir", folder.resolve("data").toString());
    pg.put("bin_dir", context.tools().pgBinDir().toString());
    pg.put("pgpass", folder.resolve("pgpass").toString());
    pg.put("use_unix_socket", true);
    pg.put("use_unix_socket_repl", false);
    Map<String, Object> auth = new LinkedHashMap<>();
    // The superuser connects over the socket as its own OS user (peer), never over TCP.
    auth.put("superuser", Map.of("username", context.runAs().user()));
    auth.put("replication", role(context, PatroniNode.REPLICATION_ROLE, "patroni/replication"));
    auth.put("rewind", role(context, PatroniNode.REWIND_ROLE, "patroni/rewind"));
    pg.put("authentication", auth);
    pg.put("parameters", local);
    pg.put("pg_hba", hba(spec, context.runAs().user()));
    pg.put(
        "callbacks",
        Map.of("on_role_change", callback.toString(), "on_start", callback.toString()));
    pg.put("create_replica_methods", List.of("basebackup"));
    pg.put("basebackup", List.of(Map.of("checkpoint", "fast")));
    root.put("postgresql", pg);
    root.put(
        "tags",
        Map.of("nofailover", false, "noloadbalance", false, "clonefrom", false, "nosync", false));

    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    return "# Written by strata up from strata.yaml; changes here are overwritten.\n"
        + new Yaml(options).dump(root);
  }

  /** A role Patroni creates and logs in as over TCP, with TLS verified when TLS is on. */
  private static Map<String, Object> role(ComponentContext context, String name, String secret) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("username", name);
    r.put("password", context.secrets().get(secret));
    if (context.spec().security().tls()) {
      r.put("sslmode", "verify-full");
      r.put("sslrootcert", context.dir().caFile().toString());
    }
    return r;
  }

  /** The stack's pg_hba rules, plus streaming replication for the replication role. */
  static List<String> hba(StrataSpec spec, String superuser) {
    String host = spec.security().tls() ? "hostssl" : "host";
    List<String> lines = new ArrayList<>();
    for (String net : List.of("127.0.0.1/32", "::1/128")) {
      lines.add(
          host + " replication " + PatroniNode.REPLICATION_ROLE + " " + net + " scram-sha-256");
    }
    PostgresConfig.renderHba(spec, superuser)
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.trim().replaceAll("\\s+", " "))
        .forEach(lines::add);
    return lines;
  }
}
