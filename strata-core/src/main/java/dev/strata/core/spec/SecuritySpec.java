package dev.strata.core.spec;

import java.util.List;
import java.util.Optional;

/**
 * The {@code security} section: TLS, the address servers listen on, the OS user they run as and the
 * role names.
 *
 * @param ownerRole name template of the role that owns a database's schema; {@code {db}} is the
 *     database
 */
public record SecuritySpec(
    boolean tls,
    Optional<String> tlsCertFile,
    Optional<String> tlsKeyFile,
    Optional<String> tlsCaFile,
    String bind,
    String runAs,
    String ownerRole,
    String appRole,
    String readonlyRole,
    String monitorRole) {

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
          v ->
              new SecuritySpec(
                  v.get(TLS),
                  v.get(TLS_CERT_FILE),
                  v.get(TLS_KEY_FILE),
                  v.get(TLS_CA_FILE),
                  v.get(BIND),
                  v.get(RUN_AS),
                  v.get(OWNER_ROLE),
                  v.get(APP_ROLE),
                  v.get(READONLY_ROLE),
                  v.get(MONITOR_ROLE)));

  public String ownerRole(String database) {
    return ownerRole.replace("{db}", database);
  }

  public String appRole(String database) {
    return appRole.replace("{db}", database);
  }

  public String readonlyRole(String database) {
    return readonlyRole.replace("{db}", database);
  }

  /** Whether the user gave certificate files rather than letting Strata make them. */
  public boolean userCertificates() {
    return tlsCertFile.isPresent();
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
    };
  }
}
