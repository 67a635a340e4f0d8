package dev.strata.bench.tenancy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.tenant.TenantContext;
import dev.strata.jdbc.tenant.Tenancy;
import dev.strata.jdbc.tenant.TenantDataSource;
import dev.strata.jdbc.tenant.TenantSettings;
import dev.strata.jdbc.tenant.audit.TenancyPlan;
import dev.strata.test.StrataStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Point-select transactions through PgBouncer (transaction mode) as the app role, side by side in
 * one run:
 *
 * <ul>
 *   <li>{@code reference}: no tenant context, on a copy of the table without RLS;
 *   <li>{@code inTenant}: {@link Tenancy#inTenant} on the RLS table (policies from {@code strata
 *       tenancy plan});
 *   <li>{@code dataSource}: the same through a {@link TenantDataSource};
 *   <li>{@code contextNoRls}: a {@link TenantDataSource} on the table without RLS: what sending the
 *       context costs by itself;
 *   <li>{@code setConfigAhead}: the context set by a statement of its own ({@link Tenancy#apply},
 *       one extra round trip), for comparison;
 *   <li>{@code childReference} and {@code child}: a point select on a child table keyed by the
 *       parent's id alone ({@code entries.account_id}), without RLS and isolated through its parent
 *       ({@code tenancy.through}: {@code account_id = any (array(select id from accounts))}, the
 *       parent's policy in the sub-select).
 * </ul>
 *
 * Each transaction is {@code BEGIN; select ... where id = ?; COMMIT} for a random row, as that
 * row's tenant. Modes alternate slice by slice so the machine's noise hits them alike; the median
 * of the rounds is printed with the overhead against the reference. Arguments: seconds per slice
 * (default 5), client threads (default 4), rounds (default 3), and {@code paired [MODES]} to
 * measure only some modes (comma-separated, default {@code inTenant}) against {@code reference},
 * alternated transaction by transaction on every thread: on a loaded machine the load changes from
 * one slice to the next, and pairing each transaction with its neighbour cancels that out.
 */
public final class TenancyBench {
  private static final int ROWS = 100_000;
  private static final int TENANTS = 1_000;
  private static volatile long sink;

  private TenancyBench() {}

  public static void main(String[] args) throws Exception {
    Duration slice = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 5);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    boolean paired = args.length > 3 && args[3].equals("paired");
    try (StrataStack stack = StrataStack.start("bench-tenancy", "")) {
      schema(stack);
      if (paired) {
        paired(
            stack.env().pooled(), slice, threads, rounds, args.length > 4 ? args[4] : "inTenant");
      } else {
        run(stack.env().pooled(), slice, threads, rounds);
      }
    }
  }

  /** Every mode, by name, on one pool. */
  private static Map<String, Tx> modes(HikariDataSource pool) {
    ThreadLocal<TenantContext> perThread = new ThreadLocal<>();
    TenantDataSource tenantDs =
        new TenantDataSource(pool, TenantSettings.defaults(), perThread::get);
    Map<String, Tx> modes = new LinkedHashMap<>();
    modes.put("reference", id -> plain(pool, id));
    modes.put("inTenant", id -> inTenant(pool, id));
    modes.put(
        "dataSource",
        id -> {
          perThread.set(TenantContext.tenant(Long.toString(tenantOf(id))));
          return explicit(tenantDs, "accounts", id);
        });
    modes.put(
        "contextNoRls",
        id -> {
          perThread.set(TenantContext.tenant(Long.toString(tenantOf(id))));
          return explicit(tenantDs, "accounts_plain", id);
        });
    modes.put("setConfigAhead", id -> setConfigAhead(pool, id));
    // Hand-written with plain pgjdbc, no wrapper: what each part of the context costs by itself.
    modes.put(
        "handTwoSetConfigs",
        id ->
            hand(
                pool,
                "select set_config('app.current_tenant', ?, true),"
                    + " set_config('app.current_role', ?, true); ",
                2,
                id));
    modes.put(
        "handOneSetConfig",
        id -> hand(pool, "select set_config('app.current_tenant', ?, true); ", 1, id));
    modes.put(
        "handNoRow",
        id ->
            hand(
                pool,
                "select where (set_config('app.current_tenant', ?, true)"
                    + " || set_config('app.current_role', ?, true)) is null; ",
                2,
                id));
    modes.put("childReference", id -> explicit(pool, "entries_plain", id));
    modes.put(
        "child",
        id ->
            Tenancy.inTenant(
                pool,
                TenantContext.tenant(Long.toString(tenantOf(id))),
                conn -> select(conn, "entries", id)));
    return modes;
  }

  /**
   * Each of {@code names} (comma-separated modes) against the reference, transaction by
   * transaction: one ratio per mode and round, the modes taking turns within each round.
   */
  private static void paired(
      PgEndpoint pooled, Duration slice, int threads, int rounds, String names) throws Exception {
    try (HikariDataSource pool = pool(pooled, threads)) {
      Map<String, Tx> modes = modes(pool);
      Tx reference = modes.get("reference");
      List<String> chosen = List.of(names.split(","));
      for (String mode : chosen) {
        if (!modes.containsKey(mode)) {
          throw new IllegalArgumentException("no mode " + mode + "; modes: " + modes.keySet());
        }
        measurePaired(reference, modes.get(mode), Duration.ofSeconds(2), threads);
      }
      Map<String, List<String>> ratios = new LinkedHashMap<>();
      Map<String, List<String>> medianRatios = new LinkedHashMap<>();
      List<String> referenceUs = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        for (String mode : chosen) {
          double[] ns = measurePaired(reference, modes.get(mode), slice, threads);
          ratios
              .computeIfAbsent(mode, k -> new ArrayList<>())
              .add(String.format(Locale.ROOT, "%.4f", ns[1] / ns[0]));
          medianRatios
              .computeIfAbsent(mode, k -> new ArrayList<>())
              .add(String.format(Locale.ROOT, "%.4f", ns[3] / ns[2]));
          if (mode.equals(chosen.get(0))) {
            referenceUs.add(String.format(Locale.ROOT, "%.0f", ns[0] / 1000));
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "paired, %d threads, %d rounds of %ds: reference us/tx %s%n",
          threads,
          rounds,
          slice.toSeconds(),
          referenceUs);
      ratios.forEach(
          (mode, list) ->
              System.out.printf(
                  Locale.ROOT,
                  "  paired %s/reference (ratios: [%s]) (median ratios: [%s])%n",
                  mode,
                  String.join(",", list),
                  String.join(",", medianRatios.get(mode))));
    }
  }

  /**
   * Nanoseconds per transaction of {@code a} and {@code b}, each thread alternating them (and their
   * order) transaction by transaction for {@code slice}: {mean a, mean b, median a, median b}. The
   * median is not moved by the few transactions a loaded machine preempts for milliseconds.
   */
  private static double[] measurePaired(Tx a, Tx b, Duration slice, int threads)
      throws InterruptedException {
    long[][] sums = new long[threads][4];
    Durations[][] took = new Durations[threads][];
    long deadline = System.nanoTime() + slice.toNanos();
    onThreads(
        threads,
        "a paired transaction",
        slot -> {
          long[] mine = sums[slot];
          Durations[] durations = {new Durations(), new Durations()};
          took[slot] = durations;
          boolean aFirst = true;
          while (System.nanoTime() < deadline) {
            for (int k = 0; k < 2; k++) {
              boolean runA = (k == 0) == aFirst;
              long id = 1 + ThreadLocalRandom.current().nextInt(ROWS);
              long start = System.nanoTime();
              sink += (runA ? a : b).run(id);
              long ns = System.nanoTime() - start;
              mine[runA ? 0 : 2] += ns;
              mine[runA ? 1 : 3]++;
              durations[runA ? 0 : 1].add(ns);
            }
            aFirst = !aFirst;
          }
        });
    long aNs = 0, aN = 0, bNs = 0, bN = 0;
    for (long[] m : sums) {
      aNs += m[0];
      aN += m[1];
      bNs += m[2];
      bN += m[3];
    }
    Durations allA = new Durations(), allB = new Durations();
    for (Durations[] d : took) {
      allA.addAll(d[0]);
      allB.addAll(d[1]);
    }
    return new double[] {(double) aNs / aN, (double) bNs / bN, allA.median(), allB.median()};
  }

  /** A growing list of durations. */
  private static final class Durations {
    private long[] values = new long[1 << 14];
    private int size;

    void add(long ns) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = ns;
    }

    void addAll(Durations other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
    }

    double median() {
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      return sorted[size / 2];
    }
  }

  private static void run(PgEndpoint pooled, Duration slice, int threads, int rounds)
      throws Exception {
    try (HikariDataSource pool = pool(pooled, threads)) {
      Map<String, Tx> modes = modes(pool);
      // Warm-up: JIT, pool, PgBouncer's server connections.
      for (Tx tx : modes.values()) {
        measure(tx, Duration.ofSeconds(2), threads);
      }
      Map<String, List<Double>> tps = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, Tx> m : modes.entrySet()) {
          tps.computeIfAbsent(m.getKey(), k -> new ArrayList<>())
              .add(measure(m.getValue(), slice, threads));
        }
      }
      print(tps, slice, threads, rounds);
    }
  }

  private static void print(
      Map<String, List<Double>> tps, Duration slice, int threads, int rounds) {
    System.out.printf(
        Locale.ROOT,
        "point-select transactions through PgBouncer (transaction mode), %d threads, %d rounds of"
            + " %ds, median:%n",
        threads,
        rounds,
        slice.toSeconds());
    double reference = median(tps.get("reference"));
    for (Map.Entry<String, List<Double>> e : tps.entrySet()) {
      double m = median(e.getValue());
      System.out.printf(
          Locale.ROOT,
          "  %-14s %9.0f tx/s  %7.1f us/tx per thread  overhead %+5.1f%%  (rounds: %s)%n",
          e.getKey(),
          m,
          1e6 * threads / m,
          100 * (reference / m - 1),
          e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
    }
    System.out.printf(
        Locale.ROOT,
        "ratio inTenant/reference time per tx: %.3f (goal <= 1.10); child/childReference: %.3f%n",
        reference / median(tps.get("inTenant")),
        median(tps.get("childReference")) / median(tps.get("child")));
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Transactions per second of {@code tx} on {@code threads} threads for {@code slice}. */
  private static double measure(Tx tx, Duration slice, int threads) throws InterruptedException {
    long[] counts = new long[threads];
    long deadline = System.nanoTime() + slice.toNanos();
    onThreads(
        threads,
        "a benchmark transaction",
        slot -> {
          while (System.nanoTime() < deadline) {
            long id = 1 + ThreadLocalRandom.current().nextInt(ROWS);
            sink += tx.run(id);
            counts[slot]++;
          }
        });
    return Arrays.stream(counts).sum() / (slice.toNanos() / 1e9);
  }

  /**
   * Runs {@code worker} on {@code threads} threads, one slot each, and waits for them all; the
   * first failure is rethrown as {@code what} failed.
   */
  private static void onThreads(int threads, String what, Worker worker)
      throws InterruptedException {
    Throwable[] failure = new Throwable[1];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int slot = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  worker.run(slot);
                } catch (Throwable e) {
                  failure[0] = e;
                }
              });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException(what + " failed", failure[0]);
    }
  }

  @FunctionalInterface
  private interface Worker {
    void run(int slot) throws SQLException;
  }

  @FunctionalInterface
  private interface Tx {
    long run(long id) throws SQLException;
  }

  private static long tenantOf(long id) {
    return id % TENANTS;
  }

  private static long plain(DataSource ds, long id) throws SQLException {
    return explicit(ds, "accounts_plain", id);
  }

  private static long inTenant(DataSource ds, long id) throws SQLException {
    TenantContext ctx = TenantContext.tenant(Long.toString(tenantOf(id)));
    return Tenancy.inTenant(ds, ctx, conn -> select(conn, "accounts", id));
  }

  /** The context set by a statement of its own ({@link Tenancy#apply}), then the select. */
  private static long setConfigAhead(DataSource ds, long id) throws SQLException {
    try (Connection conn = ds.getConnection()) {
      conn.setAutoCommit(false);
      Tenancy.apply(
          conn, TenantSettings.defaults(), TenantContext.tenant(Long.toString(tenantOf(id))));
      long balance = select(conn, "accounts", id);
      conn.commit();
      conn.setAutoCommit(true);
      return balance;
    }
  }

  /**
   * {@code BEGIN; <prefix> select; COMMIT} on the RLS table with plain pgjdbc: the prefix takes
   * {@code values} parameters (the tenant, then the empty role) and returns at most one result.
   */
  private static long hand(DataSource ds, String prefix, int values, long id) throws SQLException {
    try (Connection conn = ds.getConnection()) {
      conn.setAutoCommit(false);
      long balance;
      try (PreparedStatement ps =
          conn.prepareStatement(prefix + "select balance from accounts where id = ?")) {
        ps.setString(1, Long.toString(tenantOf(id)));
        if (values == 2) {
          ps.setString(2, "");
        }
        ps.setLong(values + 1, id);
        ps.execute();
        ps.getMoreResults();
        try (ResultSet rs = ps.getResultSet()) {
          if (!rs.next()) {
            throw new IllegalStateException("row " + id + " of accounts not visible");
          }
          balance = rs.getLong(1);
        }
      }
      conn.commit();
      conn.setAutoCommit(true);
      return balance;
    }
  }

  /** {@code BEGIN; select; COMMIT} as an application writes it by hand. */
  private static long explicit(DataSource ds, String table, long id) throws SQLException {
    try (Connection conn = ds.getConnection()) {
      conn.setAutoCommit(false);
      long balance = select(conn, table, id);
      conn.commit();
      conn.setAutoCommit(true);
      return balance;
    }
  }

  private static long select(Connection conn, String table, long id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("select balance from " + table + " where id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("row " + id + " of " + table + " not visible");
        }
        return rs.getLong(1);
      }
    }
  }

  private static HikariDataSource pool(PgEndpoint endpoint, int threads) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(endpoint.jdbcUrl());
    config.setUsername(endpoint.user());
    config.setPassword(endpoint.password());
    config.setMaximumPoolSize(threads);
    config.setMinimumIdle(threads);
    return new HikariDataSource(config);
  }

  private static void schema(StrataStack stack) throws SQLException {
    PgEndpoint direct = stack.env().direct();
    try (Connection owner = DriverManager.getConnection(direct.jdbcUrl(), direct.jdbcProperties());
        Statement s = owner.createStatement()) {
      for (String table : List.of("accounts", "accounts_plain")) {
        s.execute(
            "create table "
                + table
                + " (id bigint primary key, tenant_id bigint not null, balance bigint not null)");
        s.execute(
            "insert into "
                + table
                + " select g, g % "
                + TENANTS
                + ", g * 7 from generate_series(1, "
                + ROWS
                + ") g");
      }
      // A child keyed by its parent's id alone: one entry per account, the entry's id its
      // account's.
      for (String table : List.of("entries", "entries_plain")) {
        String parent = table.equals("entries") ? "accounts" : "accounts_plain";
        s.execute(
            "create table "
                + table
                + " (id bigint primary key, account_id bigint not null references "
                + parent
                + " (id), balance bigint not null)");
        s.execute("create index on " + table + " (account_id)");
        s.execute(
            "insert into " + table + " select g, g, g * 3 from generate_series(1, " + ROWS + ") g");
      }
      StrataSpec spec = stack.stack().spec();
      // accounts is a tenant table, entries its child; the _plain copies are the references.
      var tenancy =
          new dev.strata.core.spec.TenancySpec(
              spec.tenancy().schema(),
              spec.tenancy().column(),
              spec.tenancy().columns(),
              java.util.Optional.of(List.of("accounts")),
              List.of("accounts_plain", "entries_plain"),
              Map.of("entries", "accounts"),
              Map.of(),
              spec.tenancy().tenantSetting(),
              spec.tenancy().roleSetting(),
              spec.tenancy().adminRole());
      TenancyPlan plan = TenancyPlan.plan(owner, tenancy);
      for (String sql : plan.indexUp().split(";\n")) {
        if (!sql.lines().allMatch(l -> l.isBlank() || l.startsWith("--"))) {
          s.execute(sql);
        }
      }
      s.execute(plan.up());
      s.execute("analyze");
    }
  }
}
