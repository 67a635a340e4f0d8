package dev.strata.jdbc.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class SqlStatementsTest {

  private static List<String> sql(String text) {
    return SqlStatements.split(text).stream().map(SqlStatements.Statement::sql).toList();
  }

  @Test
  void semicolons_end_statements_and_comments_are_skipped() {
    assertThat(sql("-- head\nCREATE TABLE a (id int);\n/* x; */ DROP TABLE b;\n"))
        .containsExactly("CREATE TABLE a (id int)", "DROP TABLE b");
  }

  @Test
  void quotes_dollar_quotes_and_atomic_bodies_keep_their_semicolons() {
    String text =
        "INSERT INTO t VALUES ('a;b', E'c\\';d', \"x;y\");\n"
            + "CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.x := 1; RETURN NEW; END $fn$"
            + " LANGUAGE plpgsql;\n"
            + "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
            + "SELECT $1;";
    assertThat(sql(text))
        .containsExactly(
            "INSERT INTO t VALUES ('a;b', E'c\\';d', \"x;y\")",
            "CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.x := 1; RETURN NEW; END $fn$"
                + " LANGUAGE plpgsql",
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
            "SELECT $1");
  }

  @Test
  void offsets_map_back_to_lines() {
    String text = "-- one\n\nCREATE TABLE a (id int);\n\nSELECT\n  nope;\n";
    List<SqlStatements.Statement> statements = SqlStatements.split(text);
    assertThat(SqlStatements.lineOf(text, statements.get(0).offset())).isEqualTo(3);
    assertThat(SqlStatements.lineOf(text, statements.get(1).offset() + "SELECT\n  ".length()))
        .isEqualTo(6);
  }
}
