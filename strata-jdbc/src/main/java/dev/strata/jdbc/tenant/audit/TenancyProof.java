package dev.strata.jdbc.tenant.audit;

import dev.strata.core.spec.TenancySpec;
import dev.strata.core.tenant.TenantContext;
import dev.strata.jdbc.tenant.Tenancy;
import dev.strata.jdbc.tenant.TenantSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The dynamic proof of {@code strata tenancy test}: tries, as the application role and through the
 * connection the application uses, to read and write across tenants, and reports what the database
 * allowed. Every attempt runs in its own transaction, which is rolled back: nothing is changed,
 * whatever the outcome.
 *
 * <p>It works on the rows already there: tenant A is a tenant that has rows; tenant B another
 * tenant with rows, or an id no row has when A is alone.
 */
public final class TenancyProof {
  /** {@code insufficient_privilege}: what a WITH CHECK violation raises. */
  private static final String DENIED = "42501";

  /** How many tenants of a table the proof works with at most. */
  private static final int SAMPLE = 50;

  private static final String[] FUZZ_OPERATIONS = {"select", "update", "delete", "insert", "move"};

  private final Connection conn;
  private final TenantSettings settings;
  private final Map<String, String> rowJson = new HashMap<>();

  private TenancyProof(Connection conn, TenancySpec spec) {
    this.conn = conn;
    this.settings = TenantSettings.of(spec);
  }

  /**
   * Runs the proof through {@code appConn}, the application's (pooled) connection.
   *
   * @param fuzz how many random cross-tenant attempts to add; 0 for none
   * @param random the source of the attempts, seeded for a reproducible run
   */
  public static ProofReport run(Connection appConn, TenancySpec spec, int fuzz, Random random)
      throws SQLException {
    boolean autoCommit = appConn.getAutoCommit();
    appConn.setAutoCommit(false);
    try {
      return new TenancyProof(appConn, spec).prove(spec, fuzz, random);
    } finally {
      appConn.rollback();
      appConn.setAutoCommit(autoCommit);
    }
  }

  private ProofReport prove(TenancySpec spec, int fuzz, Random random) throws SQLException {
    List<Target> targets = new ArrayList<>();
    List<String> unproven = new ArrayList<>();
    List<TenantTable> tables = TenantCatalog.read(conn, spec).tenantTables();
    conn.rollback();
    for (TenantTable t : tables) {
      List<String> tenants = tenants(t);
      if (tenants.isEmpty()) {
        unproven.add(t.qualified() + ": no rows, even as admin: add rows (seed data) to test it");
      } else {
        targets.add(new Target(t, tenants, insertable(t)));
      }
    }
    List<ProbeResult> probes = new ArrayList<>();
    for (Target target : targets) {
      probes.addAll(probe(target));
    }
    int leaks = 0;
    int errors = 0;
    for (int i = 0; i < fuzz && !targets.isEmpty(); i++) {
      switch (fuzzOnce(targets.get(random.nextInt(targets.size())), random)) {
        case LEAK -> leaks++;
        case ERROR -> errors++;
        case HELD -> {}
      }
    }
    return new ProofReport(
        List.copyOf(probes), List.copyOf(unproven), targets.isEmpty() ? 0 : fuzz, leaks, errors);
  }

  /** A tenant table with the tenants found in it (A first) and the columns an INSERT may set. */
  private record Target(TenantTable table, List<String> tenants, List<String> columns) {
    String a() {
      return tenants.get(0);
    }

    /** A second tenant with rows, or an id no row has. */
    String b() {
      return tenants.size() > 1 ? tenants.get(1) : absentId(tenants.get(0), table.columnType());
    }

    String col() {
      return Sql.ident(table.column());
    }

    /** {@code col = ?} with the parameter cast to the column's type. */
    String is() {
      return col() + " = ?::" + table.columnType();
    }
  }

  private List<ProbeResult> probe(Target t) throws SQLException {
    String a = t.a();
    String b = t.b();
    String name = t.table().qualified();
    TenantContext ctxA = TenantContext.tenant(a);
    TenantContext ctxB = TenantContext.tenant(b);
    String select = "select count(*) from " + name + " where " + t.is();
    String touch = "update " + name + " set " + t.col() + " = " + t.col() + " where " + t.is();
    String delete = "delete from " + name + " where " + t.is();
    long ownRows = count(TenantContext.admin(), select, a);
    List<ProbeResult> results = new ArrayList<>();
    results.add(rows(t, "select own rows", "tenant A", ctxA, ownRows, select, a));
    results.add(rows(t, "update own rows", "tenant A", ctxA, ownRows, touch, a));
    results.add(rows(t, "select A's rows", "tenant B", ctxB, 0, select, a));
    results.add(rows(t, "update A's rows", "tenant B", ctxB, 0, touch, a));
    results.add(rows(t, "delete A's rows", "tenant B", ctxB, 0, delete, a));
    results.add(denied(t, "insert a row for A", "tenant B", ctxB, insert(t), rowOf(t, a)));
    results.add(denied(t, "move A's rows to B", "tenant A", ctxA, move(t), b, a));
    TenantContext none = TenantContext.none();
    String touchAll = "update " + name + " set " + t.col() + " = " + t.col();
    results.add(rows(t, "select any row", "no tenant", none, 0, "select count(*) from " + name));
    results.add(rows(t, "update any row", "no tenant", none, 0, touchAll));
    results.add(rows(t, "delete any row", "no tenant", none, 0, "delete from " + name));
    results.add(denied(t, "insert a row for A", "no tenant", none, insert(t), rowOf(t, a)));
    results.add(adminSeesAll(t));
    return results;
  }

  /** Runs {@code sql} as {@code ctx}; passes when it sees or changes {@code expected} rows. */
  private ProbeResult rows(
      Target t,
      String op,
      String who,
      TenantContext ctx,
      long expected,
      String sql,
      Object... params)
      throws SQLException {
    String name = t.table().qualified();
    try {
      long got = sql.startsWith("select") ? count(ctx, sql, params) : update(ctx, sql, params);
      return new ProbeResult(name, op, who, expected + " rows", got + " rows", got == expected);
    } catch (SQLException e) {
      conn.rollback();
      boolean denied = DENIED.equals(e.getSQLState());
      return new ProbeResult(
          name, op, who, expected + " rows", outcome(e), expected == 0 && denied);
    }
  }

  private ProbeResult denied(
      Target t, String op, String who, TenantContext ctx, String sql, String... params)
      throws SQLException {
    String outcome;
    boolean passed;
    try {
      long n = update(ctx, sql, (Object[]) params);
      outcome = n + " rows written";
      passed = false;
    } catch (SQLException e) {
      conn.rollback();
      outcome = outcome(e);
      passed = DENIED.equals(e.getSQLState());
    }
    return new ProbeResult(t.table().qualified(), op, who, "denied", outcome, passed);
  }

  /**
   * The administrator sees exactly the rows the tenants see between them: its count equals the sum
   * of each tenant's own count (at least that sum when there are more tenants than were sampled).
   */
  private ProbeResult adminSeesAll(Target t) throws SQLException {
    String name = t.table().qualified();
    long adminRows = count(TenantContext.admin(), "select count(*) from " + name);
    long tenantRows = 0;
    for (String id : t.tenants()) {
      tenantRows += count(TenantContext.tenant(id), "select count(*) from " + name);
    }
    boolean sampled = t.tenants().size() == SAMPLE;
    return new ProbeResult(
        name,
        "select every tenant",
        "admin",
        (sampled ? ">= " : "") + tenantRows + " rows (" + t.tenants().size() + " tenants)",
        adminRows + " rows",
        sampled ? adminRows >= tenantRows : adminRows == tenantRows);
  }

  private enum Outcome {
    HELD,
    LEAK,
    ERROR
  }

  private Outcome fuzzOnce(Target t, Random random) throws SQLException {
    List<String> ids = t.tenants();
    String victim = ids.get(random.nextInt(ids.size()));
    List<String> others = ids.stream().filter(id -> !id.equals(victim)).toList();
    // Another tenant with rows, an id without rows, or no tenant at all.
    int pick = random.nextInt(others.size() + 2);
    TenantContext actor =
        pick < others.size()
            ? TenantContext.tenant(others.get(pick))
            : pick == others.size()
                ? TenantContext.tenant(absentId(victim, t.table().columnType()))
                : TenantContext.none();
    String name = t.table().qualified();
    String op = FUZZ_OPERATIONS[random.nextInt(FUZZ_OPERATIONS.length)];
    try {
      long n =
          switch (op) {
            case "select" ->
                count(actor, "select count(*) from " + name + " where " + t.is(), victim);
            case "update" ->
                update(
                    actor,
                    "update " + name + " set " + t.col() + " = " + t.col() + " where " + t.is(),
                    victim);
            case "delete" -> update(actor, "delete from " + name + " where " + t.is(), victim);
            case "insert" -> update(actor, insert(t), rowOf(t, victim));
            default ->
                actor.isNone() ? 0 : update(actor, move(t), victim, actor.tenantId().orElseThrow());
          };
      return n == 0 ? Outcome.HELD : Outcome.LEAK;
    } catch (SQLException e) {
      conn.rollback();
      return DENIED.equals(e.getSQLState()) ? Outcome.HELD : Outcome.ERROR;
    }
  }

  /** {@code insert} of a row given as JSON, every column but the generated ones. */
  private String insert(Target t) {
    String cols = String.join(", ", t.columns().stream().map(Sql::ident).toList());
    return "insert into "
        + t.table().qualified()
        + " ("
        + cols
        + ") overriding system value select "
        + cols
        + " from json_populate_record(null::"
        + t.table().qualified()
        + ", ?::json)";
  }

  /** Moves the rows of the second parameter's tenant to the first's. */
  private String move(Target t) {
    return "update "
        + t.table().qualified()
        + " set "
        + t.col()
        + " = ?::"
        + t.table().columnType()
        + " where "
        + t.is();
  }

  private List<String> tenants(TenantTable t) throws SQLException {
    String sql =
        "select distinct "
            + Sql.ident(t.column())
            + "::text from "
            + t.qualified()
            + " where "
            + Sql.ident(t.column())
            + " is not null order by 1 limit "
            + SAMPLE;
    List<String> ids = new ArrayList<>();
    Tenancy.apply(conn, settings, TenantContext.admin());
    try (PreparedStatement ps = conn.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    } finally {
      conn.rollback();
    }
    return ids;
  }

  private List<String> insertable(TenantTable t) throws SQLException {
    String sql =
        "select attname from pg_attribute where attrelid = ?::regclass and attnum > 0"
            + " and not attisdropped and attgenerated = '' order by attnum";
    List<String> cols = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setString(1, t.qualified());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cols.add(rs.getString(1));
        }
      }
    } finally {
      conn.rollback();
    }
    return cols;
  }

  /** One of {@code tenant}'s rows as JSON, read as admin. */
  private String rowOf(Target t, String tenant) throws SQLException {
    String key = t.table().qualified() + "\0" + tenant;
    String json = rowJson.get(key);
    if (json == null) {
      String sql =
          "select row_to_json(r)::text from "
              + t.table().qualified()
              + " r where "
              + t.is()
              + " limit 1";
      Tenancy.apply(conn, settings, TenantContext.admin());
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        ps.setString(1, tenant);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          json = rs.getString(1);
        }
      } finally {
        conn.rollback();
      }
      rowJson.put(key, json);
    }
    return json;
  }

  private long count(TenantContext ctx, String sql, Object... params) throws SQLException {
    Tenancy.apply(conn, settings, ctx);
    try (PreparedStatement ps = bind(sql, params);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } finally {
      conn.rollback();
    }
  }

  private long update(TenantContext ctx, String sql, Object... params) throws SQLException {
    Tenancy.apply(conn, settings, ctx);
    try (PreparedStatement ps = bind(sql, params)) {
      return ps.executeLargeUpdate();
    } finally {
      conn.rollback();
    }
  }

  private PreparedStatement bind(String sql, Object... params) throws SQLException {
    PreparedStatement ps = conn.prepareStatement(sql);
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
    return ps;
  }

  /** A tenant id of the column's type that no row has, derived from {@code existing}. */
  static String absentId(String existing, String type) {
    return switch (type) {
      case "smallint", "integer", "bigint" -> {
        long n = Long.parseLong(existing);
        yield Long.toString(n < Short.MAX_VALUE ? n + 1 : n - 1);
      }
      case "uuid" -> UUID.nameUUIDFromBytes(("strata-probe:" + existing).getBytes()).toString();
      default -> existing + "-strata-probe";
    };
  }

  private static String outcome(SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    msg = msg.replaceFirst("^ERROR: ", "");
    if (DENIED.equals(e.getSQLState()) && msg.startsWith("new row violates row-level security")) {
      return "denied by policy";
    }
    return "error " + e.getSQLState() + ": " + msg;
  }
}
