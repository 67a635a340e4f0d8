package dev.strata.bench.migrate;

import dev.strata.core.env.PgEndpoint;
import dev.strata.jdbc.migrate.Migrator;
import dev.strata.test.StrataStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Applies the same N small migrations (a table, an index, a row each) with Strata's {@link
 * Migrator} on a golang-migrate folder and on a Prisma folder, with Flyway on a Flyway folder, and
 * with {@code psql} (the floor: the same files in one session, no lock, no bookkeeping), each into
 * a fresh schema of one throwaway PostgreSQL that this program starts, rotating which goes first,
 * and prints the times and the ratios.
 *
 * <pre>
 * mvn -B -q -pl bench/migrate -am package -DskipTests -Dspotless.check.skip=true
 * java -jar bench/migrate/target/migrate-bench.jar [migrations=500] [rounds=5]
 * </pre>
 */
public final class MigrateBench {
  private MigrateBench() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (StrataStack stack =
        StrataStack.start("bench-migrate", "postgres:\n  memory: 512mb\n  databases: [bench]\n")) {
      run(stack.env("bench").direct(), stack.home(), count, rounds);
    }
  }

  private static void run(PgEndpoint pg, Path home, int count, int rounds) throws Exception {
    Path strataDir = Files.createDirectories(home.resolve("strata-migrations"));
    Path flywayDir = Files.createDirectories(home.resolve("flyway-migrations"));
    Path prismaDir = Files.createDirectories(home.resolve("prisma-migrations"));
    List<String> psqlFiles = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String sql =
          "CREATE TABLE t"
              + i
              + " (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT"
              + " now());\nCREATE INDEX t"
              + i
              + "_name ON t"
              + i
              + " (name);\nINSERT INTO t"
              + i
              + " (id, name) VALUES (1, 'first');\n";
      Files.writeString(strataDir.resolve(String.format("%06d_table_%d.up.sql", i, i)), sql);
      Files.writeString(flywayDir.resolve("V" + i + "__table_" + i + ".sql"), sql);
      Path prisma =
          Files.createDirectories(prismaDir.resolve(String.format("2026%010d_table_%d", i, i)));
      Files.writeString(prisma.resolve("migration.sql"), sql);
      psqlFiles.add(strataDir.resolve(String.format("%06d_table_%d.up.sql", i, i)).toString());
    }
    System.out.printf(
        "%d migrations (CREATE TABLE + CREATE INDEX + INSERT each), %d rounds, PostgreSQL at"
            + " %s:%d%n",
        count, rounds, pg.host(), pg.port());
    String[] tools = {"strata", "strata-prisma", "flyway", "psql"};
    Map<String, List<Long>> times = new LinkedHashMap<>();
    for (String tool : tools) {
      times.put(tool, new ArrayList<>());
      run(
          tool,
          pg,
          strataDir,
          prismaDir,
          flywayDir,
          psqlFiles,
          "warmup_" + tool.replace('-', '_'),
          count);
    }
    for (int r = 1; r <= rounds; r++) {
      StringBuilder line = new StringBuilder("round " + r + ":");
      for (int k = 0; k < tools.length; k++) {
        String tool = tools[(k + r - 1) % tools.length];
        long ms =
            run(
                tool,
                pg,
                strataDir,
                prismaDir,
                flywayDir,
                psqlFiles,
                tool.replace('-', '_') + "_" + r,
                count);
        times.get(tool).add(ms);
      }
      for (String tool : tools) {
        line.append(' ').append(tool).append(' ').append(times.get(tool).get(r - 1)).append(" ms");
      }
      System.out.println(line);
    }
    StringBuilder median = new StringBuilder("median:");
    for (String tool : tools) {
      long m = median(times.get(tool));
      median.append(
          String.format(
              " %s %d ms (%.2f ms/migration, spread %d-%d)",
              tool, m, (double) m / count, min(times.get(tool)), max(times.get(tool))));
    }
    System.out.println(median);
    long s = median(times.get("strata"));
    long p = median(times.get("strata-prisma"));
    long f = median(times.get("flyway"));
    long floor = median(times.get("psql"));
    System.out.printf(
        "ratio flyway/strata: %.2fx (>1 means Strata is faster; goal >= 1.0)%n", (double) f / s);
    System.out.printf("ratio flyway/strata-prisma: %.2fx%n", (double) f / p);
    System.out.printf("ratio strata/psql floor: %.2fx (goal <= 1.3)%n", (double) s / floor);
    System.out.printf("ratio strata-prisma/psql floor: %.2fx (goal <= 1.3)%n", (double) p / floor);
  }

  private static long run(
      String tool,
      PgEndpoint pg,
      Path strataDir,
      Path prismaDir,
      Path flywayDir,
      List<String> psqlFiles,
      String schema,
      int count)
      throws Exception {
    return switch (tool) {
      case "strata" -> runStrata(pg, strataDir, schema, count);
      case "strata-prisma" -> runStrata(pg, prismaDir, schema, count);
      case "flyway" -> runFlyway(pg, flywayDir, schema, count);
      default -> runPsql(pg, psqlFiles, schema);
    };
  }

  /**
   * The floor: psql runs the same files in one session (each statement in its own implicit
   * transaction, as psql does without -1), with no lock and no bookkeeping.
   */
  private static long runPsql(PgEndpoint pg, List<String> files, String schema) throws Exception {
    recreate(pg, schema);
    List<String> command =
        new ArrayList<>(
            List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg.urlWithoutPassword()));
    for (String f : files) {
      command.add("-f");
      command.add(f);
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PGPASSWORD", pg.password());
    builder.environment().put("PGOPTIONS", "-c search_path=" + schema);
    long start = System.nanoTime();
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    int exit = process.waitFor();
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (exit != 0) {
      throw new IllegalStateException("psql failed (" + exit + "): " + output);
    }
    return ms;
  }

  private static long min(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).min().orElse(0);
  }

  private static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private static long runStrata(PgEndpoint pg, Path dir, String schema, int count)
      throws SQLException {
    recreate(pg, schema);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(pg.jdbcUrl());
    ds.setUser(pg.user());
    ds.setPassword(pg.password());
    ds.setCurrentSchema(schema);
    long start = System.nanoTime();
    int applied = Migrator.of(ds, dir).up().migrationsExecuted();
    long ms = (System.nanoTime() - start) / 1_000_000;
    check(applied, count, "strata");
    return ms;
  }

  private static long runFlyway(PgEndpoint pg, Path dir, String schema, int count)
      throws SQLException {
    recreate(pg, schema);
    long start = System.nanoTime();
    int applied =
        Flyway.configure()
            .dataSource(pg.jdbcUrl(), pg.user(), pg.password())
            .schemas(schema)
            .defaultSchema(schema)
            .locations("filesystem:" + dir)
            .load()
            .migrate()
            .migrationsExecuted;
    long ms = (System.nanoTime() - start) / 1_000_000;
    check(applied, count, "flyway");
    return ms;
  }

  private static void check(int applied, int count, String tool) {
    if (applied != count) {
      throw new IllegalStateException(tool + " applied " + applied + " of " + count);
    }
  }

  private static void recreate(PgEndpoint pg, String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
