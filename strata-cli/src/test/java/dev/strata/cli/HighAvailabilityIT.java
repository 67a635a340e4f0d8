package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.jdbc.routing.RoutingDataSource;
import dev.strata.ops.stack.ComponentStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One 3-node PostgreSQL stack (Patroni on one etcd member) for the class: roles in status, a
 * replica behind READ_DATABASE_URL, the routing DataSource reading its own writes on the replica, a
 * kill -9 of the leader's postmaster survived through DATABASE_URL with no acknowledged write lost
 * and the killed node back as a replica, and a switchover to a named node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class HighAvailabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path project;

  @BeforeAll
  static void up() throws IOException {
    project = TestProjects.create("ha");
    Files.writeString(
        project.resolve("strata.yaml"),
        TestProjects.FREE_PORTS.replace(
            "memory: 256mb", "memory: 256mb\n  nodes: 3\n  etcd_members: 1\n  synchronous: true"));
    Cli up = Cli.run(project, "up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
  }

  @AfterAll
  static void destroy() {
    TestProjects.destroy(project);
  }

  @Test
  @Order(1)
  void status_shows_one_leader_and_two_replicas_with_their_timeline() throws IOException {
    Map<String, String> roles = roles();
    assertThat(roles).containsOnlyKeys("postgres-1", "postgres-2", "postgres-3");
    assertThat(roles.values()).filteredOn("leader"::equals).hasSize(1);
    assertThat(roles.values())
        .filteredOn(r -> r.equals("replica") || r.equals("sync_standby"))
        .hasSize(2);
    Cli status = Cli.run(project, "status");
    assertThat(status.out()).contains("role leader").contains("timeline 1");
    JsonNode targets =
        JSON.readTree(project.resolve(".strata/prometheus/targets/patroni.json").toFile());
    assertThat(targets).hasSize(3);
    assertThat(targets.get(0).path("labels").path("job").asText()).isEqualTo("patroni");
  }

  @Test
  @Order(2)
  void read_database_url_reaches_a_replica_and_direct_url_the_leader() throws Exception {
    StackEnv env = TestProjects.stack(project).env();
    assertThat(env.variables()).containsKey("READ_DATABASE_URL");
    assertThat(env.variables().get("DIRECT_URL"))
        .contains("target_session_attrs=read-write")
        .containsPattern("@[^/]+,[^/]+,[^/]+/app");
    assertThat(query(env.read(), "SELECT pg_is_in_recovery()")).isEqualTo("t");
    assertThat(query(env.pooled(), "SELECT pg_is_in_recovery()")).isEqualTo("f");
  }

  @Test
  @Order(3)
  void the_routing_data_source_reads_its_own_writes_on_the_replica() throws Exception {
    StackEnv env = TestProjects.stack(project).env();
    try (Connection owner = connect(env.direct());
        Statement s = owner.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS ryw (id bigint PRIMARY KEY)");
    }
    RoutingDataSource db =
        new RoutingDataSource(source(env.pooled()), source(env.read()), Duration.ofSeconds(5));
    for (long i = 1; i <= 20; i++) {
      long id = i;
      db.write(
          c -> {
            try (Statement s = c.createStatement()) {
              return s.executeUpdate("INSERT INTO ryw VALUES (" + id + ")");
            }
          });
      long seen = db.read(c -> count(c, "SELECT count(*) FROM ryw WHERE id = " + id));
      assertThat(seen).as("read %d after its write", id).isEqualTo(1);
      assertThat(db.lastRoute()).isEqualTo(RoutingDataSource.Route.REPLICA);
      long inRecovery = db.read(c -> count(c, "SELECT pg_is_in_recovery()::int"));
      assertThat(inRecovery).as("the read ran on a replica").isEqualTo(1);
    }
    // The check catches a replica that is behind. A query open on the replica holds back the
    // replay of an exclusive lock taken on the primary (a recovery conflict, up to
    // max_standby_streaming_delay): the next write is not replayed, and the read after it must go
    // to the primary — a read-only routing without the LSN check would miss the row.
    try (Connection onReplica = connect(env.read())) {
      onReplica.setAutoCommit(false);
      count(onReplica, "SELECT count(*) FROM ryw");
      try (Connection owner = connect(env.direct());
          Statement s = owner.createStatement()) {
        owner.setAutoCommit(false);
        s.execute("LOCK TABLE ryw IN ACCESS EXCLUSIVE MODE");
        owner.commit();
      }
      RoutingDataSource behind =
          new RoutingDataSource(source(env.pooled()), source(env.read()), Duration.ofMillis(200));
      behind.write(
          c -> {
            try (Statement s = c.createStatement()) {
              return s.executeUpdate("INSERT INTO ryw VALUES (1000)");
            }
          });
      long found = behind.read(c -> count(c, "SELECT count(*) FROM ryw WHERE id = 1000"));
      assertThat(found).isEqualTo(1);
      assertThat(behind.lastRoute()).isEqualTo(RoutingDataSource.Route.PRIMARY);
      try (Connection probe = connect(env.read());
          java.sql.PreparedStatement ps =
              probe.prepareStatement("SELECT pg_last_wal_replay_lsn() < ?::pg_lsn")) {
        ps.setString(1, behind.lastWriteLsn());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getBoolean(1)).as("the replica really is behind the write").isTrue();
        }
      }
      onReplica.rollback();
    }
    long onPrimary =
        new RoutingDataSource(source(env.pooled()), unreachable(), Duration.ofMillis(50))
            .read(c -> count(c, "SELECT pg_is_in_recovery()::int"));
    assertThat(onPrimary).as("an unreachable replica: the primary serves the read").isZero();
  }

  @Test
  @Order(4)
  void after_kill_minus_9_of_the_leader_database_url_works_and_no_acknowledged_write_is_lost()
      throws Exception {
    String before = leader();
    Cli drill = Cli.run(project, "drill", "failover", "--rounds", "1", "--json");
    assertThat(drill.exitCode()).as(drill.toString()).isZero();
    JsonNode round = JSON.readTree(drill.out()).path("rounds").get(0);
    assertThat(round.path("old_leader").asText()).as(drill.toString()).isEqualTo(before);
    assertThat(round.path("new_leader").asText())
        .as(drill.toString())
        .isNotEqualTo(before)
        .startsWith("postgres-");
    assertThat(round.path("acknowledged").asLong()).isPositive();
    assertThat(round.path("lost").asLong()).isZero();
    assertThat(round.path("duplicated").asLong()).isZero();
    StackEnv env = TestProjects.stack(project).env();
    assertThat(query(env.pooled(), "SELECT count(*) > 0 FROM strata_failover_drill"))
        .isEqualTo("t");
    // The drill returns once every node runs again: the killed leader rejoined as a replica.
    Map<String, String> roles = roles();
    assertThat(roles.get(before)).isIn("replica", "sync_standby");
    assertThat(Files.readString(project.resolve(".strata/patroni/leader")).trim())
        .isEqualTo(round.path("new_leader").asText());
  }

  @Test
  @Order(5)
  void a_switchover_moves_the_leader_to_the_synchronous_standby_and_refuses_another()
      throws Exception {
    String from = leader();
    // After the failover, the new leader names its synchronous standby within a loop or two.
    assertThat(
            dev.strata.ops.process.Wait.until(
                () -> quietRoles().containsValue("sync_standby"), Duration.ofSeconds(30)))
        .as("a synchronous standby is named: %s", quietRoles())
        .isTrue();
    Map<String, String> roles = roles();
    String to =
        roles.entrySet().stream()
            .filter(e -> e.getValue().equals("sync_standby"))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no sync_standby: " + roles));
    String other =
        roles.keySet().stream().filter(n -> !n.equals(from) && !n.equals(to)).findFirst().get();
    Cli refused = Cli.run(project, "switchover", "--to", other);
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err())
        .contains("only the synchronous standby (" + to + ")")
        .contains("strata switchover --to " + to);
    assertThat(leader()).isEqualTo(from);
    Cli switchover = Cli.run(project, "switchover", "--to", to);
    assertThat(switchover.exitCode()).as(switchover.toString()).isZero();
    assertThat(switchover.out()).contains(from + " -> " + to);
    assertThat(leader()).isEqualTo(to);
    StackEnv env = TestProjects.stack(project).env();
    assertThat(
            dev.strata.ops.process.Wait.until(
                () -> "f".equals(quietly(env.pooled())), Duration.ofSeconds(30)))
        .as("DATABASE_URL reaches the new leader")
        .isTrue();
    Cli again = Cli.run(project, "switchover", "--to", to);
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains(to + " is the leader already");
  }

  private static String quietly(PgEndpoint endpoint) {
    try {
      return query(endpoint, "SELECT pg_is_in_recovery()");
    } catch (SQLException e) {
      return "error";
    }
  }

  private static Map<String, String> quietRoles() {
    try {
      return roles();
    } catch (IOException e) {
      return Map.of();
    }
  }

  private static Map<String, String> roles() throws IOException {
    Map<String, String> roles = new java.util.TreeMap<>();
    for (ComponentStatus s : TestProjects.stack(project).status()) {
      if (s.instance().id().startsWith("postgres-")) {
        roles.put(s.instance().id(), s.details().getOrDefault("role", "none"));
      }
    }
    return roles;
  }

  private static String leader() throws IOException {
    return roles().entrySet().stream()
        .filter(e -> e.getValue().equals("leader"))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("none");
  }

  private static String query(PgEndpoint endpoint, String sql) throws SQLException {
    try (Connection c = connect(endpoint);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      String v = rs.getString(1);
      return v.equals("true") ? "t" : v.equals("false") ? "f" : v;
    }
  }

  private static Connection connect(PgEndpoint endpoint) throws SQLException {
    return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static DataSource source(PgEndpoint endpoint) {
    return new SimpleSource(() -> connect(endpoint));
  }

  private static DataSource unreachable() {
    return new SimpleSource(
        () -> {
          throw new SQLException("no replica (planted)");
        });
  }

  /** A DataSource of fresh connections, enough for the test. */
  private record SimpleSource(Opener opener) implements DataSource {
    interface Opener {
      Connection open() throws SQLException;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return opener.open();
    }

    @Override
    public Connection getConnection(String u, String p) throws SQLException {
      return opener.open();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
