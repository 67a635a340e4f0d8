package dev.strata.core.topology;

import java.util.Locale;
import java.util.Optional;

/** The kinds of server a stack runs. A stack has one or more instances of each. */
public enum Kind {
  POSTGRES("postgres", "PostgreSQL", "postgres"),
  POOLER("pooler", "PgBouncer", "pgbouncer"),
  REDIS("redis", "Redis", "redis"),
  PG_EXPORTER("pg_exporter", "postgres_exporter", "pg-exporter"),
  REDIS_EXPORTER("redis_exporter", "redis_exporter", "redis-exporter"),
  PGBOUNCER_EXPORTER("pgbouncer_exporter", "pgbouncer_exporter", "pgbouncer-exporter"),
  NODE_EXPORTER("node_exporter", "node_exporter", "node-exporter"),
  PROMETHEUS("prometheus", "Prometheus", "prometheus"),
  ALERTMANAGER("alertmanager", "Alertmanager", "alertmanager"),
  ETCD("etcd", "etcd", "etcd"),
  SENTINEL("sentinel", "Redis Sentinel", "sentinel");

  private final String key;
  private final String displayName;
  private final String folder;

  Kind(String key, String displayName, String folder) {
    this.key = key;
    this.displayName = displayName;
    this.folder = folder;
  }

  /** The strata.yaml section, the prefix of instance ids and of the state folder's sub-folders. */
  public String key() {
    return key;
  }

  public String displayName() {
    return displayName;
  }

  /** The sub-folder of {@code .strata/} its first instance lives in. */
  public String folder() {
    return folder;
  }

  /** The kind named {@code word}: its key or display name, in any case ({@code pgbouncer} too). */
  public static Optional<Kind> named(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    for (Kind k : values()) {
      if (k.key.equals(w) || k.displayName.toLowerCase(Locale.ROOT).equals(w)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
