package dev.strata.test;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.spec.SecuritySpec;
import dev.strata.core.spec.SpecLoader;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import dev.strata.ops.process.Exec;
import dev.strata.ops.stack.Stack;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A running throwaway stack, as a test sees it: its connection strings, JDBC connections, and
 * control over each server (to test what happens when Redis or PgBouncer goes away).
 */
public final class StrataStack implements AutoCloseable {
  private final Stack stack;

  StrataStack(Stack stack) {
    this.stack = stack;
  }

  /**
   * Starts a throwaway stack outside JUnit, for benchmarks and tools: a fresh temporary folder,
   * {@code yaml} as its strata.yaml with every port free and PostgreSQL sized for 256 MB (unless
   * the YAML says otherwise). {@link #close()} destroys it.
   *
   * @param name a word for the folder's name
   * @throws dev.strata.core.StrataException when the YAML is not valid or a server will not start
   */
  public static StrataStack start(String name, String yaml) {
    // Reports a mistake in the caller's text with its own line numbers.
    SpecLoader.parse(yaml, name + " strata.yaml", System::getenv);
    Path home = temporaryHome(name, ThrowawaySpec.rewrite(yaml));
    Reaper.register(home);
    try {
      Stack stack =
          new Stack(home, SpecLoader.load(home.resolve("strata.yaml"), System::getenv), line -> {});
      stack.upWithoutStatus(); // a test asks the servers itself: no version round
      return new StrataStack(stack);
    } catch (RuntimeException e) {
      StackFiles.deleteTree(home);
      throw e;
    }
  }

  /** A fresh folder the servers' OS user can reach: a JDK temp folder is created 0700. */
  private static Path temporaryHome(String name, String yaml) {
    try {
      Path home = Files.createTempDirectory("strata-" + name + "-");
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(home.resolve("strata.yaml"), yaml, StandardCharsets.UTF_8);
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder for the stack", e);
    }
  }

  /** The suffix of the pristine copy {@link #snapshotDatabases()} keeps of each database. */
  static final String PRISTINE = "__strata_pristine";

  /**
   * Keeps a pristine copy of every database of strata.yaml (as it is now: after up and whatever the
   * caller did since), for {@link #resetDatabases()}. The copies are templates nobody can connect
   * to.
   */
  public void snapshotDatabases() {
    StringBuilder sql = new StringBuilder();
    for (String db : stack.spec().postgres().databases()) {
      String pristine = ident(db + PRISTINE);
      sql.append("DROP DATABASE IF EXISTS ").append(pristine).append(" WITH (FORCE);\n");
      // PgBouncer keeps a server connection from its health check; a template must be idle.
      sql.append("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ")
          .append(literal(db))
          .append(" AND pid <> pg_backend_pid();\n");
      sql.append("CREATE DATABASE ")
          .append(pristine)
          .append(" TEMPLATE ")
          .append(ident(db))
          .append(" STRATEGY WAL_LOG;\n");
      sql.append("ALTER DATABASE ")
          .append(pristine)
          .append(" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false;\n");
    }
    superuser(sql.toString());
  }

  /**
   * Puts every database back as {@link #snapshotDatabases()} kept it, with {@code CREATE DATABASE
   * ... TEMPLATE}: sessions on it are ended (PgBouncer opens new server connections), its grants
   * and the read-only role's setting are made again as {@code strata up} makes them.
   */
  public void resetDatabases() {
    SecuritySpec sec = stack.spec().security();
    StringBuilder sql = new StringBuilder("SET log_statement = 'none';\n");
    for (String db : stack.spec().postgres().databases()) {
      String d = ident(db);
      sql.append("DROP DATABASE IF EXISTS ").append(d).append(" WITH (FORCE);\n");
      sql.append("CREATE DATABASE ")
          .append(d)
          .append(" TEMPLATE ")
          .append(ident(db + PRISTINE))
          .append(" OWNER ")
          .append(ident(sec.ownerRole(db)))
          .append(" STRATEGY WAL_LOG;\n");
      sql.append("REVOKE ALL ON DATABASE ").append(d).append(" FROM PUBLIC;\n");
      sql.append("GRANT CONNECT, TEMPORARY ON DATABASE ")
          .append(d)
          .append(" TO ")
          .append(ident(sec.appRole(db)))
          .append(", ")
          .append(ident(sec.readonlyRole(db)))
          .append(";\n");
      sql.append("GRANT CONNECT ON DATABASE ")
          .append(d)
          .append(" TO ")
          .append(ident(sec.monitorRole()))
          .append(";\n");
      sql.append("ALTER ROLE ")
          .append(ident(sec.readonlyRole(db)))
          .append(" IN DATABASE ")
          .append(d)
          .append(" SET default_transaction_read_only = on;\n");
    }
    superuser(sql.toString());
  }

  /**
   * Runs statements as the superuser over the socket. DROP/CREATE DATABASE cannot run in a
   * transaction block, so each statement is its own (psql's autocommit).
   */
  private void superuser(String sql) {
    Exec.Result r = null;
    for (int attempt = 0; attempt < 5 && (r == null || !r.ok()); attempt++) {
      // A client that connects between the terminate and the CREATE makes it fail: try again.
      r = Exec.of(stack.superuserPsql("postgres")).input("\\set ON_ERROR_STOP on\n" + sql).run();
    }
    if (!r.ok()) {
      throw new IllegalStateException(
          "resetting the test databases failed: " + r.describeFailure());
    }
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** Stops the stack and deletes its folder: every database, key and secret. */
  @Override
  public void close() {
    stack.destroy();
    StackFiles.deleteTree(stack.projectDir());
  }

  /** The connection strings of the first database, as {@code strata env} prints them. */
  public StackEnv env() {
    return stack.env();
  }

  /** The connection strings of {@code database}. */
  public StackEnv env(String database) {
    return stack.env(database);
  }

  /** A new JDBC connection to {@code endpoint}; the caller closes it. */
  public Connection connect(PgEndpoint endpoint) throws SQLException {
    return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
  }

  /** Stops the first server of a kind, for tests of what clients do when it is gone. */
  public void stop(Kind kind) {
    stack.stop(kind);
  }

  /** Starts the first server of a kind again. */
  public void start(Kind kind) {
    stack.start(kind);
  }

  /** Stops one instance by id ({@code redis-1}). */
  public void stop(String instanceId) {
    stack.stop(instanceId);
  }

  /** Starts one instance by id again. */
  public void start(String instanceId) {
    stack.start(instanceId);
  }

  /** The resolved stack: every instance with its role and the port it really listens on. */
  public Topology topology() {
    return stack.topology();
  }

  /** The project folder: strata.yaml, and the stack's state in {@code .strata/}. */
  public Path home() {
    return stack.projectDir();
  }

  /** The stack itself, for tests of Strata's own operations. */
  public Stack stack() {
    return stack;
  }
}
