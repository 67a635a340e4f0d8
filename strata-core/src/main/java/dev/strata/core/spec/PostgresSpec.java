package dev.strata.core.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code postgres} section: the PostgreSQL server and its databases. Built from the validated
 * {@link Values} by key, never by position, so no two keys can be swapped.
 */
public final class PostgresSpec {

  /**
   * postgresql.conf settings Strata sets from other keys (or must own for the stack to work), and
   * the strata.yaml key or reason a user should turn to instead. A {@code postgres.settings}
   * override of one of these is refused rather than silently breaking TLS, PgBouncer's socket or
   * the role passwords.
   */
  static final Map<String, String> RESERVED_SETTINGS = reservedSettings();

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
          settingsType(),
          Map.of(),
          "postgresql.conf overrides; they win over the values Strata derives. Refused, because"
              + " another key sets them: "
              + String.join(", ", RESERVED_SETTINGS.keySet())
              + ".");
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
          PostgresSpec::new);

  private final Values values;

  private PostgresSpec(Values values) {
    this.values = values;
  }

  public int port() {
    return values.get(PORT);
  }

  public List<String> databases() {
    return values.get(DATABASES);
  }

  /** The user's postgresql.conf overrides, in file order. */
  public Map<String, String> settings() {
    return values.get(SETTINGS);
  }

  public List<String> extensions() {
    return values.get(EXTENSIONS);
  }

  /** What the derived memory settings plan for; empty means the machine's memory. */
  public Optional<DataSize> memory() {
    return values.get(MEMORY);
  }

  /** The folder of the PostgreSQL binaries; empty means the newest installed version. */
  public Optional<String> binDir() {
    return values.get(BIN_DIR);
  }

  /** The database applications use when none is named: the first one listed. */
  public String primaryDatabase() {
    return databases().get(0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PostgresSpec other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }

  private static Map<String, String> reservedSettings() {
    Map<String, String> r = new LinkedHashMap<>();
    r.put("port", "set postgres.port instead");
    r.put("listen_addresses", "set security.bind instead");
    r.put("ssl", "set security.tls instead");
    r.put("ssl_cert_file", "set security.tls_cert_file instead");
    r.put("ssl_key_file", "set security.tls_key_file instead");
    r.put("ssl_ca_file", "set security.tls_ca_file instead");
    r.put(
        "password_encryption",
        "it is always scram-sha-256, which the roles' passwords and PgBouncer's auth rely on");
    r.put(
        "unix_socket_directories",
        "the socket lives under .strata/, where PgBouncer and strata psql look for it");
    r.put(
        "hba_file",
        "pg_hba.conf follows security.tls and security.bind (TLS and SCRAM for every role)");
    r.put("data_directory", "the data lives under .strata/");
    r.put("config_file", "postgresql.conf is written by strata up");
    return Collections.unmodifiableMap(r);
  }

  private static String refusal(String name, String instead) {
    return "Strata sets " + name + " itself: " + instead + "; remove it from postgres.settings";
  }

  /** A mapping of postgresql.conf names to values that refuses {@link #RESERVED_SETTINGS}. */
  private static Type<Map<String, String>> settingsType() {
    Type<Map<String, String>> map = Types.mapOf(Types.string("a postgresql.conf value"));
    return new Type<>() {
      @Override
      public Map<String, String> read(Value value) throws BadValue {
        if (value instanceof Value.Mapping mapping) {
          for (Value.Entry e : mapping.entries()) {
            // PostgreSQL's setting names are case-insensitive: Listen_Addresses is the same key.
            String name = e.key().toLowerCase(Locale.ROOT);
            String instead = RESERVED_SETTINGS.get(name);
            if (instead != null) {
              throw new BadValue(
                  new Value.Scalar(e.key(), e.keyLocation()),
                  "." + e.key(),
                  refusal(name, instead));
            }
          }
        }
        return map.read(value);
      }

      @Override
      public String allowed() {
        return map.allowed();
      }

      @Override
      public String render(Map<String, String> value) {
        return map.render(value);
      }

      @Override
      public Map<String, Object> schema() {
        // Each refused setting matches no value ("not": {}); editors built on yaml-language-server
        // show its deprecationMessage at the key, which names the key to set instead.
        Map<String, Object> refused = new LinkedHashMap<>();
        RESERVED_SETTINGS.forEach(
            (name, instead) ->
                refused.put(
                    name,
                    Json.obj(
                        "description",
                        refusal(name, instead),
                        "deprecationMessage",
                        refusal(name, instead),
                        "not",
                        Json.obj())));
        return Json.obj(
            "type",
            "object",
            "properties",
            refused,
            "additionalProperties",
            Json.obj("type", List.of("string", "number", "boolean")));
      }
    };
  }
}
