package dev.strata.ops.stack;

/** The servers of a stack, in the order {@code strata up} starts them. */
public enum Component {
  POSTGRES("postgres", "PostgreSQL", "postgresql-15"),
  POOLER("pooler", "PgBouncer", "pgbouncer"),
  REDIS("redis", "Redis", "redis-server");

  private final String key;
  private final String displayName;
  private final String debianPackage;

  Component(String key, String displayName, String debianPackage) {
    this.key = key;
    this.displayName = displayName;
    this.debianPackage = debianPackage;
  }

  /** The name used in strata.yaml sections, state files and on the command line. */
  public String key() {
    return key;
  }

  public String displayName() {
    return displayName;
  }

  /** The Debian package that provides this server. */
  public String debianPackage() {
    return debianPackage;
  }
}
