package dev.strata.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.topology.Kind;
import dev.strata.ops.pgbouncer.PgBouncerVersion;
import dev.strata.ops.stack.ComponentStatus;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;

/**
 * Prepared statements through PgBouncer in transaction mode: eight clients share two server
 * connections, so each client's transactions land on either of them, and pgjdbc's named server-side
 * statements must follow it there (PgBouncer >= 1.21 with max_prepared_statements).
 */
@StrataTest(yaml = "pooler:\n  default_pool_size: 2\n")
final class PooledPreparedStatementsIT {
  private static final int CLIENTS = 8;
  private static final int TRANSACTIONS = 150;

  @BeforeAll
  static void schema(StrataStack stack) throws SQLException {
    try (Connection owner = stack.connect(stack.env().direct());
        Statement s = owner.createStatement()) {
      s.execute(
          "create table items (tenant int not null, id int not null, note text,"
              + " primary key (tenant, id))");
    }
  }

  @Test
  void the_pooler_keeps_prepared_statements_and_the_jdbc_url_lets_pgjdbc_prepare(StrataStack stack)
      throws Exception {
    ComponentStatus pooler =
        stack.stack().status().stream()
            .filter(s -> s.kind() == Kind.POOLER)
            .findFirst()
            .orElseThrow();
    assertThat(PgBouncerVersion.parse(pooler.version().orElseThrow()).orElseThrow())
        .isGreaterThanOrEqualTo(PgBouncerVersion.PREPARED_STATEMENTS);
    Path ini = stack.home().resolve(".strata/pgbouncer/pgbouncer.ini");
    assertThat(Files.readString(ini)).contains("max_prepared_statements = 200");
    assertThat(stack.env().pooled().jdbcUrl()).doesNotContain("prepareThreshold");
    assertThat(stack.env().direct().jdbcUrl()).doesNotContain("prepareThreshold");
  }

  @Test
  void many_clients_reuse_server_side_statements_across_transactions_and_tenants(StrataStack stack)
      throws Exception {
    PgEndpoint pooled = stack.env().pooled();
    ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Boolean>> clients = new ArrayList<>();
      for (int t = 1; t <= CLIENTS; t++) {
        int tenant = t;
        clients.add(threads.submit(() -> client(stack, pooled, tenant)));
      }
      for (Future<Boolean> client : clients) {
        assertThat(client.get(2, TimeUnit.MINUTES))
            .as("pgjdbc switched to a named server-side statement")
            .isTrue();
      }
    } finally {
      threads.shutdownNow();
    }
    try (Connection c = stack.connect(pooled);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*), count(distinct tenant) from items")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(CLIENTS * TRANSACTIONS);
      assertThat(rs.getInt(2)).isEqualTo(CLIENTS);
    }
  }

  /**
   * One client: a transaction per row, each inserting and then reading its tenant's rows with the
   * same two prepared statements; every row read must be its own tenant's.
   */
  private static boolean client(StrataStack stack, PgEndpoint pooled, int tenant)
      throws SQLException {
    try (Connection c = stack.connect(pooled);
        PreparedStatement insert =
            c.prepareStatement("insert into items (tenant, id, note) values (?, ?, ?)");
        PreparedStatement read =
            c.prepareStatement("select tenant, count(*) from items where tenant = ? group by 1")) {
      c.setAutoCommit(false);
      for (int i = 1; i <= TRANSACTIONS; i++) {
        insert.setInt(1, tenant);
        insert.setInt(2, i);
        insert.setString(3, "row " + i);
        insert.executeUpdate();
        read.setInt(1, tenant);
        try (ResultSet rs = read.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(tenant);
          assertThat(rs.getInt(2)).isEqualTo(i);
          assertThat(rs.next()).isFalse();
        }
        c.commit();
      }
      return read.unwrap(PGStatement.class).isUseServerPrepare();
    }
  }

  @Test
  void the_server_connection_holds_pgbouncers_own_prepared_statements(StrataStack stack)
      throws SQLException {
    try (Connection c = stack.connect(stack.env().pooled());
        PreparedStatement st = c.prepareStatement("select ?::int + 1")) {
      for (int i = 0; i < 6; i++) {
        st.setInt(1, i);
        st.executeQuery().close();
      }
      // PgBouncer prepares each client statement on the server under its own name.
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "select count(*) from pg_prepared_statements where name like 'PGBOUNCER_%'")) {
        rs.next();
        assertThat(rs.getInt(1)).isPositive();
      }
    }
  }

  @Test
  void pgbench_prepared_through_database_url_fails_no_transaction(StrataStack stack)
      throws Exception {
    Path pgbench = stack.stack().tools().pgBinDir().resolve("pgbench");
    run(List.of(pgbench.toString(), "-i", "-s", "1", "-q", stack.env().direct().url()));
    for (String mode : List.of("-S", "-N")) {
      String out =
          run(
              List.of(
                  pgbench.toString(),
                  "-n",
                  "-c",
                  "8",
                  // A thread per client: pgbench prepares a statement synchronously on a client's
                  // first use, and a thread blocked there would stall its other clients while they
                  // hold server connections mid-transaction (a pgbench limitation, not a pool's).
                  "-j",
                  "8",
                  "-t",
                  "100",
                  mode,
                  "-M",
                  "prepared",
                  stack.env().pooled().url()));
      assertThat(out)
          .doesNotContain("already exists")
          .contains("number of failed transactions: 0 ");
    }
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }
}
