package dev.strata.ops.advisor;

import dev.strata.core.spec.AdvisorSpec;
import dev.strata.ops.stack.Stack;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs every check of {@code strata monitor} against a running stack and judges it by {@code
 * advisor:}'s thresholds. A check whose server cannot be reached is a critical finding of its own
 * section; the others still run.
 */
public final class Advisor {
  private final Stack stack;
  private final AdvisorSpec spec;
  private final Databases databases;

  public Advisor(Stack stack) {
    this.stack = stack;
    this.spec = stack.spec().advisor();
    this.databases = new Databases(stack);
  }

  /**
   * Every section, in the order the report prints them.
   *
   * @throws dev.strata.core.StrataException when the stack was never brought up
   */
  public MonitorReport report() {
    databases.requireCreated();
    List<Section> sections = new ArrayList<>();
    postgres(sections);
    tables(sections);
    redis(sections);
    StackChecks others = new StackChecks(stack, databases);
    sections.add(guard("tenancy", "postgres", others::tenancySection));
    sections.add(guard("migrations", "postgres", others::migrationsSection));
    sections.add(guard("backups", "postgres", others::backupsSection));
    return new MonitorReport(Instant.now(), sections);
  }

  private void postgres(List<Section> sections) {
    try (Connection c = databases.monitor(databases.primary())) {
      sections.addAll(new PostgresChecks(spec).all(c, databases.names()));
    } catch (Exception e) {
      sections.add(Section.failed("postgres", "postgres", e));
    }
  }

  private void tables(List<Section> sections) {
    TableChecks checks = new TableChecks(spec);
    List<TableStat> tables = new ArrayList<>();
    List<IndexStat> indexes = new ArrayList<>();
    try {
      for (String db : databases.names()) {
        try (Connection c = databases.owner(db)) {
          tables.addAll(checks.tables(c, db));
          indexes.addAll(checks.indexes(c, db));
        }
      }
    } catch (Exception e) {
      sections.add(Section.failed("tables", "postgres", e));
      return;
    }
    tables.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
    sections.add(checks.tablesSection(tables));
    sections.add(checks.indexesSection(indexes));
  }

  private void redis(List<Section> sections) {
    try (RedisChecks redis = new RedisChecks(stack)) {
      sections.add(redis.overview(redis.info()));
      sections.add(redis.bigKeys());
    } catch (Exception e) {
      sections.add(Section.failed("redis", "redis", e));
    }
  }

  private interface Check {
    Section run() throws Exception;
  }

  private static Section guard(String name, String subject, Check check) {
    try {
      return check.run();
    } catch (Exception e) {
      return Section.failed(name, subject, e);
    }
  }

  /** The report's rows of one section, for callers that only want the data. */
  static List<Map<String, Object>> rows(MonitorReport report, String section) {
    return report.section(section).map(Section::rows).orElse(List.of());
  }
}
