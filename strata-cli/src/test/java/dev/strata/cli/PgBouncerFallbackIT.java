package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.stack.StackFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * When PgBouncer >= 1.21 cannot be built (here: the build is pointed at a source package that does
 * not exist, in an empty cache), {@code strata up} says why, falls back to the distro's PgBouncer,
 * and {@code JDBC_DATABASE_URL} keeps pgjdbc from preparing, so the application still works.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class PgBouncerFallbackIT {
  private static final String MISSING = "strata-no-such-pgbouncer";
  private static Path home;
  private static Path cache;
  private static Cli up;

  @BeforeAll
  static void up_with_a_build_that_cannot_happen() throws Exception {
    home = Files.createTempDirectory("strata-fallback-");
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        home.resolve("strata.yaml"),
        "postgres:\n  port: 0\n  memory: 256mb\npooler:\n  port: 0\nredis:\n  port: 0\n"
            + TestProjects.MONITORING_OFF);
    cache = Files.createTempDirectory("strata-cache-");
    System.setProperty("strata.pgbouncer.source", MISSING);
    System.setProperty("strata.cache.dir", cache.toString());
    try {
      up = Cli.run(home, "up");
    } finally {
      System.clearProperty("strata.pgbouncer.source");
      System.clearProperty("strata.cache.dir");
    }
  }

  @AfterAll
  static void destroy() {
    Cli.run(home, "destroy", "--yes");
    StackFiles.deleteTree(home);
    StackFiles.deleteTree(cache);
  }

  @Test
  void up_warns_with_the_cause_and_the_fixes_and_still_succeeds() {
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.err())
        .contains("building PgBouncer from Debian 13's source package (" + MISSING)
        .contains("warning: PgBouncer could not be built")
        .contains("apt-get source " + MISSING + " failed")
        .contains("falls back to the distro's PgBouncer 1.18")
        .contains("prepareThreshold=0")
        .contains("PGDG apt repository");
    assertThat(up.out())
        .containsPattern("pooler-1 +PgBouncer +pooler +127\\.0\\.0\\.1:\\d+ +running +1\\.18");
  }

  @Test
  void the_pooled_jdbc_url_keeps_pgjdbc_from_preparing_and_works() throws Exception {
    Cli env = Cli.run(home, "env");
    Map<String, String> vars = new HashMap<>();
    env.out()
        .lines()
        .forEach(
            l ->
                vars.put(
                    l.substring(0, l.indexOf('=')),
                    l.substring(l.indexOf('=') + 2, l.length() - 1)));
    assertThat(vars.get("JDBC_DATABASE_URL")).endsWith("prepareThreshold=0");
    assertThat(Files.readString(home.resolve(".strata/pgbouncer/pgbouncer.ini")))
        .doesNotContain("max_prepared_statements");
    Properties login = new Properties();
    login.setProperty("user", vars.get("JDBC_DATABASE_USERNAME"));
    login.setProperty("password", vars.get("JDBC_DATABASE_PASSWORD"));
    try (Connection c = DriverManager.getConnection(vars.get("JDBC_DATABASE_URL"), login);
        PreparedStatement st = c.prepareStatement("select ?::int * 2")) {
      c.setAutoCommit(false);
      for (int i = 0; i < 20; i++) {
        st.setInt(1, i);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(2 * i);
        }
        c.commit();
      }
    }
  }

  @Test
  void status_reports_the_distro_version() {
    Cli status = Cli.run(home, "status", "--json");
    assertThat(status.out()).containsPattern("\"kind\" : \"pooler\"[^}]*\"version\" : \"1\\.18");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void the_next_up_with_a_built_pgbouncer_replaces_the_old_one_and_lets_pgjdbc_prepare() {
    Cli again = Cli.run(home, "up");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out())
        .containsPattern("pooler-1 +PgBouncer +pooler +127\\.0\\.0\\.1:\\d+ +running +1\\.2\\d");
    assertThat(Cli.run(home, "env").out())
        .contains("JDBC_DATABASE_URL=")
        .doesNotContain("prepareThreshold");
  }
}
