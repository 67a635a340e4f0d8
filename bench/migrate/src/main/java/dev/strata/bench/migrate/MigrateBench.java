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
import java.util.List;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Applies the same N small migrations (a table, an index, a row each) with Strata's {@link
 * Migrator} and with Flyway, each into a fresh schema of one throwaway PostgreSQL that this program
 * starts, alternating which goes first, and prints the times and the ratio.
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
    }
    System.out.printf(
        "%d migrations (CREATE TABLE + CREATE INDEX + INSERT each), %d rounds, PostgreSQL at"
            + " %s:%d%n",
        count, rounds, pg.host(), pg.port());
    List<Long> strata = new ArrayList<>();
    List<Long> flyway = new ArrayList<>();
    runStrata(pg, strataDir, "warmup_strata", count);
    runFlyway(pg, flywayDir, "warmup_flyway", count);
    for (int r = 1; r <= rounds; r++) {
      if (r % 2 == 1) {
        strata.add(runStrata(pg, strataDir, "strata_" + r, count));
        flyway.add(runFlyway(pg, flywayDir, "flyway_" + r, count));
      } else {
        flyway.add(runFlyway(pg, flywayDir, "flyway_" + r, count));
        strata.add(runStrata(pg, strataDir, "strata_" + r, count));
      }
      System.out.printf(
          "round %d: strata %d ms, flyway %d ms%n", r, strata.get(r - 1), flyway.get(r - 1));
    }
    long s = median(strata);
    long f = median(flyway);
    System.out.printf(
        "median: strata %d ms (%.2f ms/migration), flyway %d ms (%.2f ms/migration)%n",
        s, (double) s / count, f, (double) f / count);
    System.out.printf("ratio flyway/strata: %.2fx (>1 means Strata is faster)%n", (double) f / s);
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
    int applied = Migrator.of(ds, dir).up().size();
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
