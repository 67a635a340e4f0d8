package dev.strata.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * One of two classes on the JVM's shared stack: whichever runs second finds the database as {@code
 * up} left it, not with the other's table, and every role works as before the reset.
 */
@StrataSharedTest(yaml = "postgres:\n  databases: [shop]")
class SharedStackFirstIT {
  @Test
  void starts_with_a_clean_database_and_working_roles(StrataStack stack) throws SQLException {
    SharedStacks.seen(stack);
    try (Connection c = stack.connect(stack.env().direct());
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT to_regclass('public.orders') IS NULL");
      rs.next();
      assertThat(rs.getBoolean(1)).as("a table of the other class is gone").isTrue();
      s.execute("CREATE TABLE orders (id int PRIMARY KEY)");
    }
    try (Connection c = stack.connect(stack.env().pooled());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO orders VALUES (1)");
    }
    try (Connection c = stack.connect(stack.env().readonly());
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT count(*) FROM orders");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThatThrownBy(() -> s.execute("INSERT INTO orders VALUES (2)"))
          .hasMessageContaining("read-only");
    }
  }
}
