package dev.strata.core.topology;

import java.util.Objects;

/**
 * One server of a stack, as resolved from strata.yaml and the stack's state: its name, kind, role
 * and where it listens.
 *
 * @param id the name commands address it by: {@code postgres-1}, {@code pooler-1}, {@code redis-2}
 * @param ordinal 1 for the first instance of its kind
 * @param role what it does in the stack: {@code primary} or {@code replica} for PostgreSQL, {@code
 *     master} or {@code replica} for Redis, {@code pooler} for PgBouncer
 * @param host the address clients connect to
 * @param port the TCP port it listens on; 0 when none was picked yet
 */
public record Instance(String id, Kind kind, int ordinal, String role, String host, int port) {

  public Instance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(host, "host");
  }

  /** The id of the {@code ordinal}th instance of {@code kind}. */
  public static String idOf(Kind kind, int ordinal) {
    return kind.key() + "-" + ordinal;
  }

  /**
   * The instance's sub-folder of {@code .strata/}. The first instance keeps its kind's plain folder
   * ({@code .strata/postgres}), so stacks made before instances had numbers keep their data; later
   * ones carry their number ({@code .strata/postgres-2}).
   */
  public String folder() {
    return ordinal == 1 ? kind.folder() : kind.folder() + "-" + ordinal;
  }

  /** The instance's name in the state file, by the same rule: {@code pooler}, {@code redis-2}. */
  public String stateName() {
    return ordinal == 1 ? kind.key() : id;
  }

  /** {@code host:port}. */
  public String endpoint() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The same instance listening on another port. */
  public Instance withPort(int otherPort) {
    return new Instance(id, kind, ordinal, role, host, otherPort);
  }
}
