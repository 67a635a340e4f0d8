package dev.strata.ops.advisor;

import static dev.strata.ops.advisor.Rows.asLong;

import dev.strata.core.spec.AdvisorSpec;
import dev.strata.jdbc.migrate.DatabaseVersion;
import dev.strata.ops.stack.Stack;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code strata_*} gauges the standard exporters lack: transaction ID age per database, slow
 * statements, bloat, unused and duplicate indexes, tenancy audit findings, migration version and
 * dirty state. They are measured together every refresh interval (default 60 s) on a daemon thread,
 * so a scrape reads the last figures and never waits for the catalog queries; {@link #refresh()}
 * measures now. Close it to stop the thread.
 *
 * <table>
 *   <caption>Gauges (Prometheus names)</caption>
 *   <tr><td>strata_xid_age{database}</td><td>age(datfrozenxid) of each database</td></tr>
 *   <tr><td>strata_slow_queries{over_ms}</td><td>statements of pg_stat_statements whose mean time
 *       exceeds advisor.slow_query and advisor.very_slow_query</td></tr>
 *   <tr><td>strata_bloat_bytes{database,kind}</td><td>estimated wasted bytes of tables and
 *       indexes</td></tr>
 *   <tr><td>strata_bloated_relations{database,kind}</td><td>tables and indexes past
 *       advisor.bloat_percent</td></tr>
 *   <tr><td>strata_unused_indexes{database}</td><td>indexes never scanned, not unique</td></tr>
 *   <tr><td>strata_duplicate_indexes{database}</td><td>indexes another one duplicates</td></tr>
 *   <tr><td>strata_tenancy_findings{database,verdict}</td><td>failing tenancy audit findings</td></tr>
 *   <tr><td>strata_migration_version{database}</td><td>applied migration version</td></tr>
 *   <tr><td>strata_migration_dirty{database}</td><td>1 when a migration stopped part-way</td></tr>
 *   <tr><td>strata_advisor_up</td><td>1 when the last refresh succeeded</td></tr>
 *   <tr><td>strata_advisor_refresh_seconds</td><td>how long the last refresh took</td></tr>
 * </table>
 */
public final class AdvisorMetrics implements MeterBinder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdvisorMetrics.class);

  private final Stack stack;
  private final Duration interval;
  private final Databases databases;
  private final AtomicLong up = new AtomicLong();
  private final AtomicLong refreshMillis = new AtomicLong();
  private ScheduledExecutorService scheduler;
  private MultiGauge xidAge;
  private MultiGauge slowQueries;
  private MultiGauge bloatBytes;
  private MultiGauge bloated;
  private MultiGauge unused;
  private MultiGauge duplicates;
  private MultiGauge tenancy;
  private MultiGauge migrationVersion;
  private MultiGauge migrationDirty;

  /** Refreshing every 60 s. */
  public AdvisorMetrics(Stack stack) {
    this(stack, Duration.ofSeconds(60));
  }

  public AdvisorMetrics(Stack stack, Duration interval) {
    this.stack = stack;
    this.interval = interval;
    this.databases = new Databases(stack);
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    xidAge = gauge(registry, "strata.xid.age", "Transaction ID age (age(datfrozenxid))");
    slowQueries =
        gauge(registry, "strata.slow.queries", "Statements whose mean time exceeds over_ms");
    bloatBytes = gauge(registry, "strata.bloat.bytes", "Estimated wasted bytes (statistical)");
    bloated = gauge(registry, "strata.bloated.relations", "Relations past advisor.bloat_percent");
    unused = gauge(registry, "strata.unused.indexes", "Indexes never scanned, not unique");
    duplicates = gauge(registry, "strata.duplicate.indexes", "Indexes another one duplicates");
    tenancy = gauge(registry, "strata.tenancy.findings", "Failing tenancy audit findings");
    migrationVersion = gauge(registry, "strata.migration.version", "Applied migration version");
    migrationDirty =
        gauge(registry, "strata.migration.dirty", "1 when a migration stopped part-way");
    Gauge.builder("strata.advisor.up", up, AtomicLong::get)
        .description("1 when the advisor's last refresh succeeded")
        .register(registry);
    Gauge.builder("strata.advisor.refresh.seconds", refreshMillis, m -> m.get() / 1000.0)
        .description("How long the advisor's last refresh took")
        .register(registry);
    if (scheduler == null) {
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "strata-advisor-metrics");
                t.setDaemon(true);
                return t;
              });
      scheduler.scheduleWithFixedDelay(
          this::refreshQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static MultiGauge gauge(MeterRegistry registry, String name, String description) {
    return MultiGauge.builder(name).description(description).register(registry);
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("advisor metrics: {}", e.getMessage());
    }
  }

  /**
   * Measures every gauge now.
   *
   * @throws dev.strata.core.StrataException when PostgreSQL cannot be reached (the gauges keep
   *     their last values and strata_advisor_up turns 0)
   */
  public synchronized void refresh() {
    long start = System.nanoTime();
    try {
      measure();
      up.set(1);
    } catch (Exception e) {
      up.set(0);
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    } finally {
      refreshMillis.set((System.nanoTime() - start) / 1_000_000);
    }
  }

  private void measure() throws Exception {
    if (xidAge == null) {
      throw new IllegalStateException("bind the metrics to a registry before refreshing them");
    }
    AdvisorSpec spec = stack.spec().advisor();
    List<MultiGauge.Row<?>> xid = new ArrayList<>();
    List<MultiGauge.Row<?>> slow = new ArrayList<>();
    try (Connection c = databases.monitor(databases.primary())) {
      for (Map<String, Object> r : Rows.query(c, PostgresChecks.XID)) {
        xid.add(
            MultiGauge.Row.of(
                Tags.of("database", (String) r.get("database")), asLong(r.get("xid_age"))));
      }
      long slowMs = spec.get(AdvisorSpec.SLOW_QUERY).toMillis();
      long verySlowMs = spec.get(AdvisorSpec.VERY_SLOW_QUERY).toMillis();
      Map<String, Object> counts =
          Rows.query(c, PostgresChecks.SLOW_COUNTS, (double) slowMs, (double) verySlowMs).get(0);
      slow.add(
          MultiGauge.Row.of(Tags.of("over_ms", Long.toString(slowMs)), asLong(counts.get("slow"))));
      slow.add(
          MultiGauge.Row.of(
              Tags.of("over_ms", Long.toString(verySlowMs)), asLong(counts.get("very_slow"))));
    }
    TableChecks checks = new TableChecks(spec);
    StackChecks others = new StackChecks(stack, databases);
    List<MultiGauge.Row<?>> bytes = new ArrayList<>();
    List<MultiGauge.Row<?>> bloatedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> unusedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> duplicateRows = new ArrayList<>();
    List<MultiGauge.Row<?>> tenancyRows = new ArrayList<>();
    List<MultiGauge.Row<?>> versionRows = new ArrayList<>();
    List<MultiGauge.Row<?>> dirtyRows = new ArrayList<>();
    for (String db : databases.names()) {
      List<TableStat> tables;
      List<IndexStat> indexes;
      try (Connection c = databases.owner(db)) {
        tables = checks.tables(c, db);
        indexes = checks.indexes(c, db);
      }
      long tableWaste = 0;
      long indexWaste = 0;
      long bloatedTables = 0;
      long bloatedIndexes = 0;
      for (TableStat t : tables) {
        tableWaste += wasted(t.heapBytes(), t.bloatPercent());
        bloatedTables += checks.bloated(t.heapBytes(), t.bloatPercent()) ? 1 : 0;
      }
      for (IndexStat i : indexes) {
        indexWaste += wasted(i.bytes(), i.bloatPercent());
        bloatedIndexes += checks.bloated(i.bytes(), i.bloatPercent()) ? 1 : 0;
      }
      Tags table = Tags.of("database", db, "kind", "table");
      Tags index = Tags.of("database", db, "kind", "index");
      bytes.add(MultiGauge.Row.of(table, tableWaste));
      bytes.add(MultiGauge.Row.of(index, indexWaste));
      bloatedRows.add(MultiGauge.Row.of(table, bloatedTables));
      bloatedRows.add(MultiGauge.Row.of(index, bloatedIndexes));
      Tags dbTag = Tags.of("database", db);
      java.util.Set<String> kept = TableChecks.kept(indexes);
      unusedRows.add(
          MultiGauge.Row.of(
              dbTag,
              indexes.stream()
                  .filter(i -> TableChecks.unused(i) && !kept.contains(i.name()))
                  .count()));
      duplicateRows.add(
          MultiGauge.Row.of(
              dbTag, indexes.stream().filter(i -> i.duplicateOf().isPresent()).count()));
      List<Finding> findings = others.tenancy(db);
      for (Verdict v : List.of(Verdict.WARN, Verdict.CRITICAL)) {
        tenancyRows.add(
            MultiGauge.Row.of(
                Tags.of("database", db, "verdict", v.label()),
                findings.stream().filter(f -> f.verdict() == v).count()));
      }
      Optional<DatabaseVersion> version = others.migration(db);
      if (version.isPresent()) {
        versionRows.add(MultiGauge.Row.of(dbTag, Math.max(0, version.get().version())));
        dirtyRows.add(MultiGauge.Row.of(dbTag, version.get().dirty() ? 1 : 0));
      }
    }
    xidAge.register(xid, true);
    slowQueries.register(slow, true);
    bloatBytes.register(bytes, true);
    bloated.register(bloatedRows, true);
    unused.register(unusedRows, true);
    duplicates.register(duplicateRows, true);
    tenancy.register(tenancyRows, true);
    migrationVersion.register(versionRows, true);
    migrationDirty.register(dirtyRows, true);
  }

  private static long wasted(long bytes, java.util.OptionalDouble bloatPercent) {
    return bloatPercent.isPresent() ? Math.round(bytes * bloatPercent.getAsDouble() / 100) : 0;
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}
