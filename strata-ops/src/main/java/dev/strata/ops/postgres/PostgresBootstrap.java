package dev.strata.ops.postgres;

import dev.strata.core.StrataException;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.io.PropertiesFile;
import dev.strata.core.secret.ScramVerifier;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.SecuritySpec;
import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.RunAs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Creates the roles and databases of the security model, idempotently, as the superuser over the
 * socket: per database an owner (owns the schema, runs migrations), an app role (DML only, not
 * owner, NOBYPASSRLS) and a read-only role, plus one monitoring role (pg_monitor). Passwords are
 * given as SCRAM verifiers and the session does not log statements, so no secret reaches a log.
 */
public final class PostgresBootstrap {
  private static final String RECORD = "strata-bootstrap.properties";

  private final StrataSpec spec;
  private final Secrets secrets;

  public PostgresBootstrap(StrataSpec spec, Secrets secrets) {
    this.spec = spec;
    this.secrets = secrets;
  }

  /** Every login role with its SCRAM verifier, for PostgreSQL and PgBouncer's auth file alike. */
  public Map<String, String> verifiers() {
    Map<String, String> roles = new LinkedHashMap<>();
    for (String role : loginRoles()) {
      roles.put(
          role,
          secrets.derived(
              StackEnvs.postgresSecret(role), "scram-sha-256", pw -> ScramVerifier.of(role, pw)));
    }
    return roles;
  }

  private List<String> loginRoles() {
    SecuritySpec sec = spec.security();
    List<String> roles = new ArrayList<>();
    for (String db : spec.postgres().databases()) {
      roles.add(sec.ownerRole(db));
      roles.add(sec.appRole(db));
      roles.add(sec.readonlyRole(db));
    }
    roles.add(sec.monitorRole());
    return roles;
  }

  /**
   * Applies what changed since the last run, in one psql session. What was applied is recorded, per
   * part, in the data directory (so it goes with the data): an unchanged strata.yaml applies
   * nothing, and never re-grants what an operator revoked by hand since.
   */
  void apply(PostgresServer server, RunAs runAs) {
    apply(server.dataDir(), server.socketDir(), server.port(), server.psql(), runAs);
  }

  /**
   * The same, for a server another engine runs (a Patroni leader): its data directory, socket
   * folder and port.
   */
  public void apply(Path dataDir, Path socketDir, int port, Psql psql, RunAs runAs) {
    Path record = dataDir.resolve(RECORD);
    Map<String, String> applied =
        PropertiesFile.read(record, "delete it: the next strata up applies roles and grants again");
    Map<String, String> wanted = new TreeMap<>();
    StringBuilder script = new StringBuilder();
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put("postgres", clusterSql());
    for (String db : spec.postgres().databases()) {
      parts.put(db, databaseSql(db));
    }
    parts.forEach(
        (db, sql) -> {
          String key = db.equals("postgres") ? "cluster" : "database." + db;
          String hash = sha256(sql);
          wanted.put(key, hash);
          if (!hash.equals(applied.get(key))) {
            script.append("\\connect ").append(ident(db)).append('\n').append(sql);
          }
        });
    if (script.length() == 0) {
      return;
    }
    Exec.Result r = psql.superuser(runAs, socketDir, port, "postgres", script.toString()).run();
    if (!r.ok()) {
      throw StrataException.failed(
          "creating roles and databases failed: " + r.describeFailure(),
          "fix the cause above in strata.yaml and run strata up again (the PostgreSQL log has"
              + " more: strata logs postgres)",
          null);
    }
    PropertiesFile.write(
        record, wanted, "Applied by strata up (SHA-256 of each part).", "rw-------");
  }

  /**
   * Forgets that {@code database}'s part was applied, so that the next {@code strata up} creates it
   * again after {@code strata reset} dropped it (the roles' part runs again too: it creates the
   * database).
   */
  public static void forget(Path dataDir, String database) {
    Path record = dataDir.resolve(RECORD);
    Map<String, String> applied =
        new TreeMap<>(
            PropertiesFile.read(
                record, "delete it: the next strata up applies roles and grants again"));
    applied.remove("cluster");
    applied.remove("database." + database);
    PropertiesFile.write(
        record, applied, "Applied by strata up (SHA-256 of each part).", "rw-------");
  }

  /** {@code name} as an SQL identifier: {@code order} becomes {@code "order"}. */
  public static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code text} as an SQL string literal. */
  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Roles and databases: statements that run outside any database. */
  String clusterSql() {
    SecuritySpec sec = spec.security();
    StringBuilder sql =
        new StringBuilder("SET log_statement = 'none';\nSET log_min_duration_statement = -1;\n");
    verifiers().forEach((role, verifier) -> sql.append(ensureRole(role, verifier)));
    sql.append("GRANT pg_monitor TO ").append(ident(sec.monitorRole())).append(";\n");
    for (String db : spec.postgres().databases()) {
      String owner = ident(sec.ownerRole(db));
      String database = ident(db);
      // \gexec runs the generated text as SQL: the identifier inside it is quoted there too.
      sql.append("SELECT format('CREATE DATABASE %I OWNER %I', ")
          .append(literal(db))
          .append(", ")
          .append(literal(sec.ownerRole(db)))
          .append(") WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ")
          .append(literal(db))
          .append(")\\gexec\n");
      sql.append("ALTER DATABASE ")
          .append(database)
          .append(" OWNER TO ")
          .append(owner)
          .append(";\n");
      sql.append("REVOKE ALL ON DATABASE ").append(database).append(" FROM PUBLIC;\n");
      sql.append("GRANT CONNECT, TEMPORARY ON DATABASE ")
          .append(database)
          .append(" TO ")
          .append(ident(sec.appRole(db)))
          .append(", ")
          .append(ident(sec.readonlyRole(db)))
          .append(";\n");
      sql.append("GRANT CONNECT ON DATABASE ")
          .append(database)
          .append(" TO ")
          .append(ident(sec.monitorRole()))
          .append(";\n");
      // The tenancy administrator: a role, not a setting any session could write. NOLOGIN, and
      // granted only to the owner (with admin option), who grants it on in an audited migration.
      String admin = spec.tenancy().adminRole(db);
      sql.append("SELECT 'CREATE ROLE ")
          .append(admin)
          .append(" NOLOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '")
          .append(admin)
          .append("')\\gexec\n");
      sql.append("GRANT ").append(admin).append(" TO ").append(owner);
      sql.append(" WITH ADMIN OPTION;\n");
    }
    return sql.toString();
  }

  private static String ensureRole(String role, String verifier) {
    return "SELECT format('CREATE ROLE %I', "
        + literal(role)
        + ") WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
        + literal(role)
        + ")\\gexec\n"
        + "ALTER ROLE "
        + ident(role)
        + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD "
        + literal(verifier)
        + ";\n";
  }

  /** Inside one database: schema ownership, privileges, extensions. */
  String databaseSql(String db) {
    SecuritySpec sec = spec.security();
    String owner = ident(sec.ownerRole(db));
    String app = ident(sec.appRole(db));
    String ro = ident(sec.readonlyRole(db));
    StringBuilder sql = new StringBuilder("SET log_statement = 'none';\n");
    sql.append("ALTER SCHEMA public OWNER TO ").append(owner).append(";\n");
    sql.append("REVOKE ALL ON SCHEMA public FROM PUBLIC;\n");
    sql.append("GRANT USAGE ON SCHEMA public TO ")
        .append(app)
        .append(", ")
        .append(ro)
        .append(", ")
        .append(ident(sec.monitorRole()))
        .append(";\n");
    sql.append("ALTER DEFAULT PRIVILEGES FOR ROLE ")
        .append(owner)
        .append(" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ")
        .append(app)
        .append(";\n");
    sql.append("ALTER DEFAULT PRIVILEGES FOR ROLE ")
        .append(owner)
        .append(" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ")
        .append(app)
        .append(";\n");
    sql.append("ALTER DEFAULT PRIVILEGES FOR ROLE ")
        .append(owner)
        .append(" IN SCHEMA public GRANT SELECT ON TABLES TO ")
        .append(ro)
        .append(";\n");
    sql.append("ALTER DEFAULT PRIVILEGES FOR ROLE ")
        .append(owner)
        .append(" IN SCHEMA public GRANT SELECT ON SEQUENCES TO ")
        .append(ro)
        .append(";\n");
    sql.append("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ")
        .append(app)
        .append(";\n");
    sql.append("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ")
        .append(app)
        .append(";\n");
    sql.append("GRANT SELECT ON ALL TABLES IN SCHEMA public TO ").append(ro).append(";\n");
    sql.append("ALTER ROLE ")
        .append(ro)
        .append(" IN DATABASE ")
        .append(ident(db))
        .append(" SET default_transaction_read_only = on;\n");
    for (String ext : spec.postgres().extensions()) {
      if (ext.equals("pg_partman")) {
        sql.append(partmanSql(owner));
      } else {
        sql.append("CREATE EXTENSION IF NOT EXISTS ").append(ident(ext)).append(";\n");
      }
    }
    return sql.toString();
  }

  /**
   * pg_partman in its own schema {@code partman}, as its documentation installs it, with the
   * privileges its guide gives a non-superuser partition manager granted to the owner role: so the
   * owner's migrations call {@code partman.create_parent} and its role runs {@code run_maintenance}
   * (pg_partman_bgw.role), and the partitions it creates are the owner's.
   */
  private static String partmanSql(String owner) {
    return "CREATE SCHEMA IF NOT EXISTS partman;\n"
        + "CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;\n"
        + "GRANT USAGE, CREATE ON SCHEMA partman TO "
        + owner
        + ";\n"
        + "GRANT ALL ON ALL TABLES IN SCHEMA partman TO "
        + owner
        + ";\n"
        + "GRANT ALL ON ALL SEQUENCES IN SCHEMA partman TO "
        + owner
        + ";\n"
        + "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO "
        + owner
        + ";\n"
        + "GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO "
        + owner
        + ";\n";
  }
}
