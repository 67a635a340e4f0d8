package dev.strata.core.spec;

import java.util.List;

/**
 * The {@code pooler} section: PgBouncer in front of PostgreSQL. Built from the validated {@link
 * Values} by key, never by position.
 */
public final class PoolerSpec extends KeyedSpec {

  public static final Key<Integer> PORT =
      Key.of("port", Types.port(), 6432, "TCP port PgBouncer listens on.");
  public static final Key<String> MODE =
      Key.of(
          "mode",
          Types.oneOf("transaction", "session", "statement"),
          "transaction",
          "Pool mode; transaction mode shares server connections between transactions.");
  public static final Key<Integer> DEFAULT_POOL_SIZE =
      Key.of(
          "default_pool_size",
          Types.integer(1, 10_000),
          20,
          "Server connections per database and role, in total over the pooler's processes.");
  public static final Key<Integer> MAX_CLIENT_CONN =
      Key.of("max_client_conn", Types.integer(1, 100_000), 1000, "Client connections accepted.");

  public static final Key<Integer> PROCESSES =
      Key.of(
          "processes",
          Types.integer(0, 16),
          0,
          "PgBouncer processes sharing the port (so_reuseport), each with its share of"
              + " default_pool_size; 0 is one per CPU core, at most 4. PgBouncer is"
              + " single-threaded: one process is the bottleneck past a core's worth of clients.");

  public static final Section<PoolerSpec> SECTION =
      new Section<>(
          "pooler",
          "PgBouncer connection pooler",
          List.of(PORT, MODE, DEFAULT_POOL_SIZE, MAX_CLIENT_CONN, PROCESSES),
          PoolerSpec::new);

  private PoolerSpec(Values values) {
    super(values);
  }

  public int port() {
    return values.get(PORT);
  }

  public String mode() {
    return values.get(MODE);
  }

  public int defaultPoolSize() {
    return values.get(DEFAULT_POOL_SIZE);
  }

  public int maxClientConn() {
    return values.get(MAX_CLIENT_CONN);
  }

  /** The configured number of processes; 0 for one per CPU core, at most 4. */
  public int processes() {
    return values.get(PROCESSES);
  }
}
