package dev.strata.core.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code security} section: TLS, the address servers listen on, the OS user they run as and the
 * role names. Built from the validated {@link Values} by key, never by position.
 */
public final class SecuritySpec extends KeyedSpec {

  public static final Key<Boolean> TLS =
      Key.of(
          "tls",
          Types.bool(),
          true,
          "TLS for PostgreSQL and PgBouncer; TCP clients must use it (sslmode=verify-full).");
  public static final Key<Optional<String>> TLS_CERT_FILE =
      Key.of(
          "tls_cert_file",
          Types.autoOr(Types.string("a PEM certificate file")),
          Optional.empty(),
          "Server certificate; auto generates one signed by a CA of Strata's own.");
  public static final Key<Optional<String>> TLS_KEY_FILE =
      Key.of(
          "tls_key_file",
          Types.autoOr(Types.string("a PEM private key file")),
          Optional.empty(),
          "Private key of tls_cert_file.");
  public static final Key<Optional<String>> TLS_CA_FILE =
      Key.of(
          "tls_ca_file",
          Types.autoOr(Types.string("a PEM CA certificate file")),
          Optional.empty(),
          "CA that signed tls_cert_file; clients verify the servers with it.");
  public static final Key<String> BIND =
      Key.of(
          "bind",
          Types.string("an IP address"),
          "127.0.0.1",
          "Address every server listens on; loopback unless you mean otherwise.");
  public static final Key<String> RUN_AS =
      Key.of(
          "run_as",
          Types.string("an existing unprivileged OS user"),
          "postgres",
          "OS user the servers run as when strata runs as root (PostgreSQL refuses root).");
  public static final Key<String> OWNER_ROLE =
      Key.of("owner_role", roleTemplate(), "{db}_owner", "Owns the schema and runs migrations.");
  public static final Key<String> APP_ROLE =
      Key.of(
          "app_role",
          roleTemplate(),
          "{db}_app",
          "The application's role: DML only, not owner, NOBYPASSRLS.");
  public static final Key<String> READONLY_ROLE =
      Key.of("readonly_role", roleTemplate(), "{db}_readonly", "Reads everything, writes nothing.");
  public static final Key<String> MONITOR_ROLE =
      Key.of(
          "monitor_role",
          Types.identifier(),
          "strata_monitor",
          "Member of pg_monitor; reads statistics, and PgBouncer's SHOW commands.");

  public static final Section<SecuritySpec> SECTION =
      new Section<>(
          "security",
          "TLS, addresses, OS user and role names",
          List.of(
              TLS,
              TLS_CERT_FILE,
              TLS_KEY_FILE,
              TLS_CA_FILE,
              BIND,
              RUN_AS,
              OWNER_ROLE,
              APP_ROLE,
              READONLY_ROLE,
              MONITOR_ROLE),
          SecuritySpec::new);

  private SecuritySpec(Values values) {
    super(values);
  }

  public boolean tls() {
    return values.get(TLS);
  }

  /** The user's server certificate; empty means Strata generates one. */
  public Optional<String> tlsCertFile() {
    return values.get(TLS_CERT_FILE);
  }

  public Optional<String> tlsKeyFile() {
    return values.get(TLS_KEY_FILE);
  }

  public Optional<String> tlsCaFile() {
    return values.get(TLS_CA_FILE);
  }

  public String bind() {
    return values.get(BIND);
  }

  public String runAs() {
    return values.get(RUN_AS);
  }

  /** Name template of the role that owns a database's schema; {@code {db}} is the database. */
  public String ownerRole() {
    return values.get(OWNER_ROLE);
  }

  public String appRole() {
    return values.get(APP_ROLE);
  }

  public String readonlyRole() {
    return values.get(READONLY_ROLE);
  }

  public String monitorRole() {
    return values.get(MONITOR_ROLE);
  }

  public String ownerRole(String database) {
    return ownerRole().replace("{db}", database);
  }

  public String appRole(String database) {
    return appRole().replace("{db}", database);
  }

  public String readonlyRole(String database) {
    return readonlyRole().replace("{db}", database);
  }

  /** Whether the user gave certificate files rather than letting Strata make them. */
  public boolean userCertificates() {
    return tlsCertFile().isPresent();
  }

  private static Type<String> roleTemplate() {
    Type<String> identifier = Types.identifier();
    return new Type<>() {
      @Override
      public String read(Value value) throws BadValue {
        String text = Types.string(allowed()).read(value);
        if (!text.contains("{db}")) {
          throw new BadValue(value, "'" + text + "' lacks {db}: expected " + allowed());
        }
        identifier.read(new Value.Scalar(text.replace("{db}", "db"), value.location()));
        return text;
      }

      @Override
      public String allowed() {
        return "a role name containing {db} (the database), e.g. {db}_app";
      }

      @Override
      public String render(String value) {
        return "\"" + value + "\"";
      }

      @Override
      public Map<String, Object> schema() {
        return Types.interpolable(Json.obj("type", "string", "pattern", "\\{db\\}"));
      }
    };
  }
}
