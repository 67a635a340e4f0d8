package dev.strata.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "env",
    description = {
      "Prints the stack's connection strings, passwords included: as shell-sourceable",
      "KEY='VALUE' lines (default), as a .env file (--format dotenv: what Prisma, Next.js and",
      "dotenv read) or as JSON. The variables: DATABASE_URL (PgBouncer, app role), DIRECT_URL",
      "(PostgreSQL, owner role, for migrations), READONLY_DATABASE_URL, REDIS_URL,",
      "JDBC_DATABASE_URL/_USERNAME/_PASSWORD and PGSSLROOTCERT.",
      "Examples: eval \"$(strata env)\"; strata env --format dotenv > .env (strata init",
      "gitignores .env)."
    })
final class EnvCommand implements Callable<Integer> {
  /** How the variables are written. */
  enum Format {
    shell,
    dotenv,
    json
  }

  @ParentCommand StrataCommand root;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "The database (default: the first in postgres.databases).")
  String database;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "shell",
      description = "shell (default), dotenv or json.")
  Format format;

  @Option(names = "--export", description = "Prefix each shell line with `export`.")
  boolean export;

  @Override
  public Integer call() throws JsonProcessingException {
    Workspace workspace = root.workspace();
    String db = workspace.database(database);
    Map<String, String> variables = workspace.stack().env(db).variables();
    if (format == Format.json) {
      root.out()
          .println(
              new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(variables));
    } else {
      for (Map.Entry<String, String> v : variables.entrySet()) {
        root.out().println(line(format, export, v.getKey(), v.getValue()));
      }
    }
    root.out().flush();
    return 0;
  }

  static String line(Format format, boolean export, String name, String value) {
    return switch (format) {
      case dotenv -> name + "=" + dotenvQuote(value);
      default -> (export ? "export " : "") + name + "=" + shellQuote(value);
    };
  }

  /** Single quotes keep {@code &} and {@code ?} in URLs literal when the line is sourced. */
  static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /**
   * Double quotes, as dotenv (Node), Prisma, docker compose and python-dotenv read them: a {@code
   * #} inside stays part of the value.
   */
  static String dotenvQuote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
