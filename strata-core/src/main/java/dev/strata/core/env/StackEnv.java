package dev.strata.core.env;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an application needs to reach a running stack, for one database: the connection strings
 * {@code strata env} prints, as typed endpoints.
 *
 * @param pooled through PgBouncer as the app role ({@code DATABASE_URL})
 * @param direct straight to PostgreSQL as the owner role, for migrations ({@code DIRECT_URL})
 * @param readonly through PgBouncer as the read-only role ({@code READONLY_DATABASE_URL})
 * @param redis Redis as the {@code app} ACL user ({@code REDIS_URL})
 * @param caFile the CA to verify the servers with; {@code null} when TLS is off
 * @param read through PgBouncer as the app role to a replica ({@code READ_DATABASE_URL}); {@code
 *     null} with one PostgreSQL server
 * @param directHosts every PostgreSQL node's {@code host:port} when there are several
 * @param monitoring {@code PROMETHEUS_URL} and {@code ALERTMANAGER_URL} when monitoring is on
 * @param agentUrl the running agent's HTTP base ({@code STRATA_AGENT_URL}); {@code null} when no
 *     agent runs
 */
public record StackEnv(
    PgEndpoint pooled,
    PgEndpoint direct,
    PgEndpoint readonly,
    RedisEndpoint redis,
    Path caFile,
    PgEndpoint read,
    List<String> directHosts,
    Map<String, String> monitoring,
    String agentUrl) {

  public StackEnv {
    Objects.requireNonNull(pooled, "pooled");
    Objects.requireNonNull(direct, "direct");
    Objects.requireNonNull(readonly, "readonly");
    Objects.requireNonNull(redis, "redis");
    directHosts = directHosts == null ? List.of() : List.copyOf(directHosts);
    monitoring = monitoring == null ? Map.of() : Map.copyOf(monitoring);
  }

  /** A stack of one PostgreSQL server, without monitoring or a running agent. */
  public StackEnv(
      PgEndpoint pooled, PgEndpoint direct, PgEndpoint readonly, RedisEndpoint redis, Path caFile) {
    this(pooled, direct, readonly, redis, caFile, null, List.of(), Map.of(), null);
  }

  /** This stack with PostgreSQL replicas: a read endpoint and every node's {@code host:port}. */
  public StackEnv withReplicas(PgEndpoint read, List<String> directHosts) {
    return new StackEnv(
        pooled, direct, readonly, redis, caFile, read, directHosts, monitoring, agentUrl);
  }

  /** This stack with its monitoring URLs and its agent's URL ({@code null}: none runs). */
  public StackEnv withOperations(Map<String, String> monitoring, String agentUrl) {
    return new StackEnv(
        pooled, direct, readonly, redis, caFile, read, directHosts, monitoring, agentUrl);
  }

  /**
   * {@code DIRECT_URL}: with several PostgreSQL nodes every node's {@code host:port}, and {@code
   * target_session_attrs=read-write} so libpq (and pgjdbc's {@code targetServerType=primary})
   * connects to whichever is the leader.
   */
  public String directUrl() {
    if (directHosts.size() < 2) {
      return direct.url();
    }
    String one = direct.url();
    String hostPort = direct.host() + ":" + direct.port();
    String url =
        one.replaceFirst(
            "@" + java.util.regex.Pattern.quote(hostPort) + "/",
            "@" + String.join(",", directHosts) + "/");
    return url + (url.contains("?") ? "&" : "?") + "target_session_attrs=read-write";
  }

  /** The variables in the seeds' convention, in the order {@code strata env} prints them. */
  public Map<String, String> variables() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("DATABASE_URL", pooled.url());
    vars.put("DIRECT_URL", directUrl());
    vars.put("READONLY_DATABASE_URL", readonly.url());
    vars.put("REDIS_URL", redis.url());
    vars.put("JDBC_DATABASE_URL", pooled.jdbcUrl());
    vars.put("JDBC_DATABASE_USERNAME", pooled.user());
    vars.put("JDBC_DATABASE_PASSWORD", pooled.password());
    if (read != null) {
      vars.put("READ_DATABASE_URL", read.url());
    }
    if (caFile != null) {
      vars.put("PGSSLROOTCERT", caFile.toString());
    }
    if (redis.caFile() != null) {
      vars.put("REDIS_CA", redis.caFile().toString());
    }
    if (!redis.nodes().sentinels().isEmpty()) {
      vars.put("REDIS_SENTINELS", String.join(",", redis.nodes().sentinels()));
      vars.put("REDIS_MASTER_NAME", redis.nodes().masterName());
    }
    if (!redis.nodes().clusterNodes().isEmpty()) {
      vars.put("REDIS_CLUSTER_NODES", String.join(",", redis.nodes().clusterNodes()));
    }
    for (String name : new String[] {"PROMETHEUS_URL", "ALERTMANAGER_URL"}) {
      if (monitoring.containsKey(name)) {
        vars.put(name, monitoring.get(name));
      }
    }
    if (agentUrl != null) {
      vars.put("STRATA_AGENT_URL", agentUrl);
    }
    return vars;
  }

  @Override
  public String toString() {
    return "StackEnv[pooled="
        + pooled
        + ", direct="
        + direct
        + ", readonly="
        + readonly
        + ", redis="
        + redis
        + "]";
  }
}
