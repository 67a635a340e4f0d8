package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.ops.process.Exec;
import dev.strata.ops.tls.Certificates;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security model of DESIGN.md, checked against the real servers of one stack. */
@StrataTest
final class StackSecurityIT {

  @Test
  void app_connects_through_pgbouncer_over_tls_and_is_neither_owner_nor_superuser(StrataStack stack)
      throws SQLException {
    StackEnv env = stack.env();
    assertThat(env.pooled().jdbcUrl()).contains("sslmode=verify-full");
    try (Connection c = stack.connect(env.pooled());
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT current_user, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,"
                        + " pg_get_userbyid(d.datdba) FROM pg_roles r, pg_database d"
                        + " WHERE r.rolname = current_user AND d.datname = current_database()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("app_app");
      assertThat(rs.getBoolean(2)).as("superuser").isFalse();
      assertThat(rs.getBoolean(3)).as("bypassrls").isFalse();
      assertThat(rs.getBoolean(4)).as("createrole").isFalse();
      assertThat(rs.getBoolean(5)).as("createdb").isFalse();
      assertThat(rs.getString(6)).as("database owner").isEqualTo("app_owner");
    }
  }

  @Test
  void a_wrong_password_is_refused_directly_and_through_the_pooler(StrataStack stack) {
    for (PgEndpoint endpoint : List.of(stack.env().pooled(), stack.env().direct())) {
      PgEndpoint wrong = endpoint.as(endpoint.user(), endpoint.password() + "x");
      assertThatThrownBy(() -> stack.connect(wrong).close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("authentication failed");
    }
  }

  @Test
  void the_superuser_cannot_log_in_over_tcp(StrataStack stack) {
    PgEndpoint direct = stack.env().direct();
    PgEndpoint superuser = direct.as("postgres", "anything").database("postgres");
    assertThatThrownBy(() -> stack.connect(superuser).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("pg_hba.conf rejects connection");
  }

  @Test
  void app_has_dml_on_the_owners_tables_but_cannot_create_roles_or_drop_them(StrataStack stack)
      throws SQLException {
    try (Connection owner = stack.connect(stack.env().direct())) {
      owner.createStatement().execute("CREATE TABLE orders (id bigint PRIMARY KEY, total numeric)");
    }
    try (Connection app = stack.connect(stack.env().pooled());
        Statement st = app.createStatement()) {
      assertThat(st.executeUpdate("INSERT INTO orders VALUES (1, 9.5)")).isEqualTo(1);
      assertThat(st.executeUpdate("UPDATE orders SET total = 10 WHERE id = 1")).isEqualTo(1);
      assertSqlState(() -> st.execute("CREATE ROLE intruder"), "42501");
      assertSqlState(() -> st.execute("DROP TABLE orders"), "42501");
      assertSqlState(() -> st.execute("ALTER TABLE orders DISABLE ROW LEVEL SECURITY"), "42501");
      assertSqlState(() -> st.execute("CREATE TABLE mine (id int)"), "42501");
    }
    try (Connection readonly = stack.connect(stack.env().readonly());
        Statement st = readonly.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT total FROM orders WHERE id = 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("10");
      }
      // Read-only by default, and without write privileges when a transaction asks for writes.
      assertSqlState(() -> st.execute("DELETE FROM orders"), "25006");
      readonly.setAutoCommit(false);
      st.execute("SET TRANSACTION READ WRITE");
      assertSqlState(() -> st.execute("DELETE FROM orders"), "42501");
      readonly.rollback();
    }
  }

  @Test
  void psql_connects_with_the_url_as_printed_and_verifies_the_server_certificate(
      StrataStack stack, @TempDir Path other) {
    PgEndpoint direct = stack.env().direct();
    String out =
        Exec.of(
                "psql",
                "-X",
                "-A",
                "-t",
                "-c",
                "SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                direct.url())
            .run()
            .output();
    assertThat(out.trim()).isEqualTo("app_owner true");
    // verify-full with another CA than the stack's: the server's certificate is not trusted.
    Certificates otherCa = new Certificates(other);
    otherCa.ensureGenerated(stack.stack().tools().openssl(), "127.0.0.1");
    Exec.Result untrusted =
        Exec.of(
                "psql",
                "-X",
                "-c",
                "SELECT 1",
                direct.url().replaceAll("&sslrootcert=[^&]*", "&sslrootcert=" + otherCa.caCert()))
            .run();
    assertThat(untrusted.exitCode()).isNotZero();
    assertThat(untrusted.output()).contains("certificate verify failed");
  }

  @Test
  void redis_app_user_reads_and_writes_but_dangerous_commands_are_refused(StrataStack stack) {
    RedisClient client = client(stack.env().redis(), RedisURI.create(stack.env().redis().url()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      assertThat(redis.set("greeting", "hello")).isEqualTo("OK");
      assertThat(redis.get("greeting")).isEqualTo("hello");
      assertThat(redis.scan(ScanArgs.Builder.matches("greet*")).getKeys()).contains("greeting");
      assertThat(redis.info("server"))
          .as("client libraries ask INFO at connect")
          .contains("redis_version");
      assertThat(redis.clientSetname("worker-1")).isEqualTo("OK");
      assertThat(redis.clientGetname()).isEqualTo("worker-1");
      assertNoPermission(() -> redis.flushall());
      assertNoPermission(() -> redis.configGet("maxmemory"));
      assertNoPermission(() -> redis.keys("*"));
      assertNoPermission(() -> redis.clientList());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void redis_monitor_user_sees_statistics_but_no_key_and_kills_no_client(StrataStack stack) {
    RedisEndpoint monitor = stack.stack().redisEndpoint("monitor");
    RedisClient appClient = client(stack.env().redis(), RedisURI.create(stack.env().redis().url()));
    RedisClient client = client(monitor, RedisURI.create(monitor.url()));
    try (StatefulRedisConnection<String, String> app = appClient.connect();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      app.sync().set("session:secret", "token");
      RedisCommands<String, String> redis = connection.sync();
      assertThat(redis.ping()).isEqualTo("PONG");
      assertThat(redis.info("memory")).contains("used_memory:");
      assertThat(redis.dbsize()).isPositive();
      assertThat(redis.clientList()).contains("cmd=");
      assertThat(redis.slowlogGet()).isNotNull();
      assertNoPermission(() -> redis.get("session:secret"));
      assertNoPermission(() -> redis.scan());
      assertNoPermission(() -> redis.set("x", "y"));
      assertNoPermission(() -> redis.clientKill("127.0.0.1:1"));
    } finally {
      client.shutdown();
      appClient.shutdown();
    }
  }

  @Test
  void redis_speaks_only_tls_and_verifies_with_the_stacks_ca(StrataStack stack) {
    RedisEndpoint app = stack.env().redis();
    assertThat(app.url()).startsWith("rediss://");
    assertThat(stack.env().variables()).containsEntry("REDIS_CA", app.caFile().toString());
    Exec.Result plain =
        Exec.of("redis-cli", "-h", app.host(), "-p", Integer.toString(app.port()), "PING").run();
    assertThat(plain.output()).doesNotContain("PONG");
    Exec.Result verified =
        Exec.of(
                "redis-cli",
                "--tls",
                "--cacert",
                app.caFile().toString(),
                "--user",
                app.user(),
                "-h",
                app.host(),
                "-p",
                Integer.toString(app.port()),
                "--no-auth-warning",
                "PING")
            .env("REDISCLI_AUTH", app.password())
            .run();
    assertThat(verified.output().trim()).isEqualTo("PONG");
  }

  @Test
  void redis_default_user_is_disabled(StrataStack stack) {
    RedisEndpoint app = stack.env().redis();
    RedisClient client =
        client(
            app,
            RedisURI.builder().withHost(app.host()).withPort(app.port()).withSsl(true).build());
    try {
      assertThatThrownBy(() -> client.connect().close())
          .isInstanceOf(RedisConnectionException.class)
          .rootCause()
          .hasMessageStartingWith("NOAUTH");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void secrets_are_private_and_never_in_logs_or_status(StrataStack stack) throws Exception {
    Path secrets = stack.home().resolve(".strata/secrets");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
        .isEqualTo("rw-------");
    // Make every server log something about a login first.
    try (Connection c = stack.connect(stack.env().pooled())) {
      c.createStatement().execute("SELECT 1");
    }
    List<String> passwords =
        List.of(
            stack.env().pooled().password(),
            stack.env().direct().password(),
            stack.env().readonly().password(),
            stack.env().redis().password());
    Cli status = Cli.run(stack.home(), "status", "--json");
    String logs =
        stack.stack().topology().instances().stream()
            .map(i -> stack.stack().log(i.id()))
            .map(StackSecurityIT::read)
            .reduce("", String::concat);
    assertThat(logs).contains("app_app");
    for (String password : passwords) {
      assertThat(logs).doesNotContain(password);
      assertThat(status.out() + status.err()).doesNotContain(password);
    }
  }

  /** Lettuce trusting the stack's CA, as strata-redis configures it. */
  static RedisClient client(RedisEndpoint endpoint, RedisURI uri) {
    RedisClient client = RedisClient.create(uri);
    if (endpoint.caFile() != null) {
      client.setOptions(
          ClientOptions.builder()
              .sslOptions(SslOptions.builder().trustManager(endpoint.caFile().toFile()).build())
              .build());
    }
    return client;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertSqlState(SqlAction action, String sqlState) {
    assertThatThrownBy(action::run)
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(sqlState));
  }

  private static void assertNoPermission(Runnable command) {
    assertThatThrownBy(command::run)
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageStartingWith("NOPERM");
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }
}
