package dev.strata.core.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code postgres} section: the PostgreSQL server and its databases.
 *
 * @param memory what the derived memory settings plan for; empty means the machine's memory
 * @param binDir the folder of the PostgreSQL binaries; empty means the newest installed version
 */
public record PostgresSpec(
    int port,
    List<String> databases,
    Map<String, String> settings,
    List<String> extensions,
    Optional<DataSize> memory,
    Optional<String> binDir) {

  public static final Key<Integer> PORT =
      Key.of("port", Types.port(), 5432, "TCP port PostgreSQL listens on.");
  public static final Key<List<String>> DATABASES =
      Key.of(
          "databases",
          Types.listOf(Types.identifier()),
          List.of("app"),
          "Databases to create; each gets the roles <db>_owner, <db>_app and <db>_readonly.");
  public static final Key<Map<String, String>> SETTINGS =
      Key.of(
          "settings",
          Types.mapOf(Types.string("a postgresql.conf value")),
          Map.of(),
          "postgresql.conf overrides; they win over the values Strata derives.");
  public static final Key<List<String>> EXTENSIONS =
      Key.of(
          "extensions",
          Types.listOf(Types.identifier()),
          List.of("pg_stat_statements"),
          "Extensions created in every database.");
  public static final Key<Optional<DataSize>> MEMORY =
      Key.of(
          "memory",
          Types.autoOr(Types.size(DataSize.ofMegabytes(256))),
          Optional.empty(),
          "Memory shared_buffers, effective_cache_size and work_mem are derived from; auto is the"
              + " machine's (or the cgroup's) memory.");
  public static final Key<Optional<String>> BIN_DIR =
      Key.of(
          "bin_dir",
          Types.autoOr(Types.string("a folder holding initdb, pg_ctl and postgres")),
          Optional.empty(),
          "Folder of the PostgreSQL binaries; auto takes the newest /usr/lib/postgresql/*/bin.");

  public static final Section<PostgresSpec> SECTION =
      new Section<>(
          "postgres",
          "PostgreSQL server",
          List.of(PORT, DATABASES, SETTINGS, EXTENSIONS, MEMORY, BIN_DIR),
          v ->
              new PostgresSpec(
                  v.get(PORT),
                  v.get(DATABASES),
                  v.get(SETTINGS),
                  v.get(EXTENSIONS),
                  v.get(MEMORY),
                  v.get(BIN_DIR)));

  /** The database applications use when none is named: the first one listed. */
  public String primaryDatabase() {
    return databases.get(0);
  }
}
