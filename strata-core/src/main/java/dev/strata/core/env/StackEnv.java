package dev.strata.core.env;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 */
public record StackEnv(
    PgEndpoint pooled, PgEndpoint direct, PgEndpoint readonly, RedisEndpoint redis, Path caFile) {

  public StackEnv {
    Objects.requireNonNull(pooled, "pooled");
    Objects.requireNonNull(direct, "direct");
    Objects.requireNonNull(readonly, "readonly");
    Objects.requireNonNull(redis, "redis");
  }

  /** The variables in the seeds' convention, in the order {@code strata env} prints them. */
  public Map<String, String> variables() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("DATABASE_URL", pooled.url());
    vars.put("DIRECT_URL", direct.url());
    vars.put("READONLY_DATABASE_URL", readonly.url());
    vars.put("REDIS_URL", redis.url());
    vars.put("JDBC_DATABASE_URL", pooled.jdbcUrl());
    vars.put("JDBC_DATABASE_USERNAME", pooled.user());
    vars.put("JDBC_DATABASE_PASSWORD", pooled.password());
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
