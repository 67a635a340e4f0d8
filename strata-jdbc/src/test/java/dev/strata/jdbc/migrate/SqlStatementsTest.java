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

  @Test
  void parentheses_keep_their_semicolons_as_psql_does() {
    assertThat(
            sql(
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); NOTIFY t);\n"
                    + "SELECT 1;"))
        .containsExactly(
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); NOTIFY t)",
            "SELECT 1");
  }

  @Test
  void copy_from_stdin_carries_its_data_block() {
    List<SqlStatements.Statement> statements =
        SqlStatements.split("COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'z\n\\.\nSELECT 2;\n");
    assertThat(statements).hasSize(2);
    assertThat(statements.get(0).sql()).isEqualTo("COPY t (a, b) FROM stdin");
    assertThat(statements.get(0).copyData()).isEqualTo("1\tx;y\n2\t'z\n");
    assertThat(statements.get(1).sql()).isEqualTo("SELECT 2");
  }

  @Test
  void copy_without_end_of_data_is_refused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SqlStatements.split("COPY t FROM stdin;\n1\n"))
        .hasMessageContaining("no end of data");
  }
}
