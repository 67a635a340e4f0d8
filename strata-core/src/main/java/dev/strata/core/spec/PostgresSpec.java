package dev.strata.core.spec;

import java.time.Duration;
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
public final class PostgresSpec extends KeyedSpec {

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
          Types.listOf(Types.extensionName()),
          List.of("pg_stat_statements"),
          "Extensions created in every database; strata up installs a missing one's Debian package"
              + " (postgresql-15-partman for pg_partman) when run as root.");
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

  public static final Key<Integer> NODES =
      Key.of(
          "nodes",
          Types.integer(1, 9),
          1,
          "PostgreSQL nodes. 1 is one server; 2 or more run a Patroni cluster on etcd: a leader and"
              + " streaming replicas with automatic failover (docs/high-availability.md).");
  public static final Key<Boolean> SYNCHRONOUS =
      Key.of(
          "synchronous",
          Types.bool(),
          true,
          "With nodes > 1: true is Patroni's synchronous_mode (a commit is acknowledged once a"
              + " standby has it, and only that standby may be promoted: no acknowledged write is"
              + " lost); false is asynchronous replication, failing over only to a replica at most"
              + " 1 MB behind (maximum_lag_on_failover), which may lose the last writes.");
  public static final Key<Duration> RTO =
      Key.of(
          "rto",
          rtoType(),
          Duration.ofSeconds(10),
          "With nodes > 1: how long a leader that stops answering keeps its leadership (Patroni's"
              + " ttl); loop_wait and retry_timeout are derived so that loop_wait + 2 x"
              + " retry_timeout <= ttl. From 5s to 5min. A crashed PostgreSQL fails over within"
              + " about loop_wait, sooner than this.");
  public static final Key<Integer> ETCD_MEMBERS =
      Key.of(
          "etcd_members",
          Types.integer(1, 5),
          3,
          "With nodes > 1: etcd members keeping the leader key (3 survive the loss of one; 1 is"
              + " for a laptop or a test, and its loss stops failover).");

  public static final Section<PostgresSpec> SECTION =
      new Section<>(
          "postgres",
          "PostgreSQL server",
          List.of(
              PORT,
              DATABASES,
              SETTINGS,
              EXTENSIONS,
              MEMORY,
              BIN_DIR,
              NODES,
              SYNCHRONOUS,
              RTO,
              ETCD_MEMBERS),
          PostgresSpec::new);

  private PostgresSpec(Values values) {
    super(values);
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

  /** How many PostgreSQL nodes: above 1 Patroni runs them. */
  public int nodes() {
    return values.get(NODES);
  }

  /** Whether the nodes form a highly available cluster (Patroni on etcd). */
  public boolean highlyAvailable() {
    return nodes() > 1;
  }

  /** Whether a commit waits for a synchronous standby (Patroni's synchronous_mode). */
  public boolean synchronous() {
    return values.get(SYNCHRONOUS);
  }

  /** The leader-key time to live, from which Patroni's timings are derived. */
  public Duration rto() {
    return values.get(RTO);
  }

  /** How many etcd members, when {@link #highlyAvailable()}. */
  public int etcdMembers() {
    return values.get(ETCD_MEMBERS);
  }

  /** The database applications use when none is named: the first one listed. */
  public String primaryDatabase() {
    return databases().get(0);
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

  /** A duration from 5 s (Patroni's loop needs a second; etcd a few) to 5 min. */
  private static Type<Duration> rtoType() {
    Type<Duration> duration = Types.duration();
    String allowed = "a duration from 5s to 5min";
    return new Type<>() {
      @Override
      public Map<String, Object> schema() {
        return duration.schema();
      }

      @Override
      public Duration read(Value value) throws BadValue {
        Duration d = duration.read(value);
        if (d.compareTo(Duration.ofSeconds(5)) < 0 || d.compareTo(Duration.ofMinutes(5)) > 0) {
          throw new BadValue(
              value, Types.formatDuration(d) + " is out of range: expected " + allowed);
        }
        return d;
      }

      @Override
      public String allowed() {
        return allowed;
      }

      @Override
      public String render(Duration value) {
        return duration.render(value);
      }
    };
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
