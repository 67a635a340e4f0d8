package dev.strata.jdbc.tenant.audit;

import dev.strata.core.spec.TenancySpec;
import dev.strata.core.tenant.TenantContext;
import dev.strata.jdbc.tenant.Tenancy;
import dev.strata.jdbc.tenant.TenantSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dynamic proof of {@code strata tenancy test}. It runs as the application does: as the
 * application role, on the (pooled) connection it is given, through strata-jdbc's tenant wrapper,
 * with savepoints rolled back and errors in between, and with another tenant's value left in the
 * session the way a careless client leaves it. It makes its own tenants and rows (foreign keys
 * honoured, each tenant's rows inserted as that tenant), tries every table with fixed probes and
 * {@code fuzz} random multi-statement transactions, and counts what the database allowed. All of it
 * is one transaction that is rolled back at the end: nothing is left, whatever the outcome.
 */
public final class TenancyProof {
  /** {@code insufficient_privilege}: what a WITH CHECK violation or a revoked privilege raises. */
  private static final String DENIED = "42501";

  private static final int TENANTS = 6;
  private static final int ROWS = 2;

  private final Connection raw;
  private final Connection conn;
  private final TenancySpec spec;
  private final TenantSettings settings;
  private final String adminRole;
  private final Random random;
  private final List<String> notes = new ArrayList<>();
  private TenantContext actor = TenantContext.none();
  private RowMaker maker;
  private List<TenantTable> tables;
  private final List<String> tenants = new ArrayList<>();
  private int statements;

  private TenancyProof(Connection raw, TenancySpec spec, Random random) throws SQLException {
    this.raw = raw;
    this.spec = spec;
    this.random = random;
    this.settings = TenantSettings.of(spec).forDatabase(raw.getCatalog());
    this.adminRole = settings.adminRole();
    this.conn = Tenancy.connection(raw, settings, () -> actor);
  }

  /**
   * Runs the proof through {@code appConn}, the application's (pooled) connection.
   *
   * @param fuzz how many random transactions to add; 0 for none
   * @param random the source of the tenants and attempts, seeded for a reproducible run
   */
  public static ProofReport run(Connection appConn, TenancySpec spec, int fuzz, Random random)
      throws SQLException {
    boolean autoCommit = appConn.getAutoCommit();
    appConn.setAutoCommit(false);
    try {
      return new TenancyProof(appConn, spec, random).prove(fuzz);
    } finally {
      appConn.rollback();
      appConn.setAutoCommit(autoCommit);
    }
  }

  private enum Outcome {
    HELD,
    LEAK,
    ERROR
  }

  private ProofReport prove(int fuzz) throws SQLException {
    TenantCatalog catalog = TenantCatalog.read(raw, spec);
    tables = ordered(catalog);
    maker = new RowMaker(conn, catalog, random);
    List<String> unproven = new ArrayList<>();
    makeTenants(unproven);
    List<TenantTable> tried = new ArrayList<>();
    if (tenants.size() >= 2) {
      for (TenantTable t : tables) {
        String problem = makeRows(t);
        if (problem == null) {
          tried.add(t);
        } else {
          unproven.add(t.qualified() + ": " + problem);
        }
      }
    }
    // Another tenant's value left in the session, as a careless client leaves it behind PgBouncer.
    if (tenants.size() >= 2) {
      leaveInSession(tenants.get(1));
    }
    List<ProbeResult> probes = new ArrayList<>();
    for (TenantTable t : tried) {
      probes.addAll(probe(t));
    }
    int leaks = 0;
    int errors = 0;
    statements = 0;
    for (int i = 0; i < fuzz && !tried.isEmpty(); i++) {
      for (Outcome o : fuzzOnce(tried)) {
        switch (o) {
          case LEAK -> leaks++;
          case ERROR -> errors++;
          case HELD -> {}
        }
      }
    }
    return new ProofReport(
        List.copyOf(probes),
        List.copyOf(unproven),
        tried.stream().map(TenantTable::name).toList(),
        tenants.size(),
        tried.isEmpty() ? 0 : fuzz,
        statements,
        leaks,
        errors,
        List.copyOf(notes));
  }

  /** Tenant and child tables, every table after those its foreign keys reference. */
  private static List<TenantTable> ordered(TenantCatalog catalog) {
    List<TenantTable> left = new ArrayList<>(catalog.tenantTables());
    Set<String> names = left.stream().map(TenantTable::name).collect(Collectors.toSet());
    List<TenantTable> ordered = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (!left.isEmpty()) {
      TenantTable next =
          left.stream()
              .filter(
                  t ->
                      catalog.foreignKeys(t.name()).stream()
                          .map(TenantCatalog.ForeignKey::parent)
                          .filter(p -> names.contains(p) && !p.equals(t.name()))
                          .allMatch(done::contains))
              .findFirst()
              .orElse(left.get(0)); // a cycle: insertion may fail, and says so
      left.remove(next);
      ordered.add(next);
      done.add(next.name());
    }
    return ordered;
  }

  /** Tenant ids of the first tenant table's column type, fresh ones. */
  private void makeTenants(List<String> unproven) {
    TenantTable root = tables.stream().filter(t -> !t.isChild()).findFirst().orElseThrow();
    while (tenants.size() < TENANTS) {
      String id = maker.tenantId(root.columnType());
      if (!tenants.contains(id)) {
        tenants.add(id);
      }
    }
    if (tenants.size() < 2) {
      unproven.add("fewer than two tenants");
    }
  }

  /** Inserts {@link #ROWS} rows per tenant as that tenant; a problem, or null when all went in. */
  private String makeRows(TenantTable t) throws SQLException {
    for (String tenant : tenants) {
      for (int i = 0; i < ROWS; i++) {
        as(TenantContext.tenant(tenant));
        Savepoint sp = conn.setSavepoint();
        try {
          Map<String, String> values = maker.values(t, tenant);
          try (PreparedStatement ps = maker.insert(t.name(), values)) {
            maker.record(t.name(), tenant, maker.returned(t.name(), ps));
          }
          conn.releaseSavepoint(sp);
        } catch (SQLException e) {
          conn.rollback(sp);
          if (i > 0 && "23505".equals(e.getSQLState())) {
            break; // the tenant column is unique (customers by id): one row per tenant
          }
          return "cannot make a row as its own tenant: " + outcome(e);
        }
      }
    }
    return null;
  }

  private void leaveInSession(String tenant) throws SQLException {
    try (PreparedStatement ps = raw.prepareStatement("select set_config(?, ?, false)")) {
      ps.setString(1, settings.tenantSetting());
      ps.setString(2, tenant);
      ps.execute();
    }
  }

  private void as(TenantContext ctx) {
    actor = ctx;
  }

  // ---- what belongs to whom -------------------------------------------------------------------

  /** {@code where} of {@code t}'s rows of {@code tenant}, and its one parameter. */
  private String[] belongs(TenantTable t, String tenant) {
    String col = Sql.ident(t.column());
    if (!t.isChild()) {
      return new String[] {col + " = ?::" + t.columnType(), tenant};
    }
    List<String> keys =
        maker.rows(t.parent().orElseThrow(), tenant).stream()
            .map(r -> r.get(t.parentKey()))
            .toList();
    return new String[] {col + " = any (?::" + t.columnType() + "[])", array(keys)};
  }

  /** A value of {@code t}'s policy column pointing {@code tenant}'s way: the tenant, or a key. */
  private String pointer(TenantTable t, String tenant) {
    if (!t.isChild()) {
      return tenant;
    }
    List<Map<String, String>> parents = maker.rows(t.parent().orElseThrow(), tenant);
    return parents.get(random.nextInt(parents.size())).get(t.parentKey());
  }

  private static String array(List<String> values) {
    return values.stream()
        .map(v -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(",", "{", "}"));
  }

  private long own(TenantTable t, String tenant) {
    return maker.rows(t.name(), tenant).size();
  }

  // ---- the fixed probes -----------------------------------------------------------------------

  private List<ProbeResult> probe(TenantTable t) throws SQLException {
    String a = tenants.get(0);
    String b = tenants.get(1);
    String name = t.qualified();
    String col = Sql.ident(t.column());
    TenantContext ctxA = TenantContext.tenant(a);
    TenantContext ctxB = TenantContext.tenant(b);
    TenantContext none = TenantContext.none();
    String[] ofA = belongs(t, a);
    String[] ofB = belongs(t, b);
    String all = "select count(*) from " + name;
    List<ProbeResult> results = new ArrayList<>();
    results.add(
        rows(t, "select own rows", "tenant A", ctxA, own(t, a), all + " where " + ofA[0], ofA[1]));
    results.add(rows(t, "select all it sees", "tenant A", ctxA, own(t, a), all));
    results.add(rows(t, "select A's rows", "tenant B", ctxB, 0, all + " where " + ofA[0], ofA[1]));
    String touch = "update " + name + " set " + col + " = " + col + " where ";
    results.add(rows(t, "update A's rows", "tenant B", ctxB, 0, touch + ofA[0], ofA[1]));
    results.add(
        rows(
            t,
            "delete A's rows",
            "tenant B",
            ctxB,
            0,
            "delete from " + name + " where " + ofA[0],
            ofA[1]));
    results.add(insertDenied(t, "insert a row for A", "tenant B", ctxB, a));
    results.add(
        denied(
            t,
            "move own rows to A",
            "tenant B",
            ctxB,
            "update " + name + " set " + col + " = ?::" + t.columnType() + " where " + ofB[0],
            pointer(t, a),
            ofB[1]));
    results.add(denied(t, "truncate", "tenant B", ctxB, "truncate " + name));
    results.add(rows(t, "select any row", "no tenant", none, 0, all));
    results.add(
        rows(
            t,
            "update any row",
            "no tenant",
            none,
            0,
            "update " + name + " set " + col + " = " + col));
    results.add(rows(t, "delete any row", "no tenant", none, 0, "delete from " + name));
    results.add(insertDenied(t, "insert a row for A", "no tenant", none, a));
    results.add(roleSettingClaim(t));
    results.addAll(wrapperPaths(t, a));
    results.add(adminSeesAll(t));
    return results;
  }

  /** Runs {@code sql} as {@code ctx}; passes when it sees or changes {@code expected} rows. */
  private ProbeResult rows(
      TenantTable t,
      String op,
      String who,
      TenantContext ctx,
      long expected,
      String sql,
      String... params)
      throws SQLException {
    as(ctx);
    Savepoint sp = conn.setSavepoint();
    try {
      long got = run(sql, params);
      return new ProbeResult(
          t.qualified(), op, who, expected + " rows", got + " rows", got == expected);
    } catch (SQLException e) {
      return new ProbeResult(
          t.qualified(),
          op,
          who,
          expected + " rows",
          outcome(e),
          expected == 0 && DENIED.equals(e.getSQLState()));
    } finally {
      conn.rollback(sp);
    }
  }

  private ProbeResult denied(
      TenantTable t, String op, String who, TenantContext ctx, String sql, String... params)
      throws SQLException {
    as(ctx);
    Savepoint sp = conn.setSavepoint();
    try {
      long n = run(sql, params);
      return new ProbeResult(t.qualified(), op, who, "denied", n + " rows written", false);
    } catch (SQLException e) {
      return new ProbeResult(
          t.qualified(), op, who, "denied", outcome(e), DENIED.equals(e.getSQLState()));
    } finally {
      conn.rollback(sp);
    }
  }

  private ProbeResult insertDenied(
      TenantTable t, String op, String who, TenantContext ctx, String owner) throws SQLException {
    as(ctx);
    Savepoint sp = conn.setSavepoint();
    try (PreparedStatement ps = maker.insert(t.name(), maker.values(t, owner), false)) {
      ps.execute();
      statements++;
      return new ProbeResult(t.qualified(), op, who, "denied", "1 row written", false);
    } catch (SQLException e) {
      return new ProbeResult(
          t.qualified(), op, who, "denied", outcome(e), DENIED.equals(e.getSQLState()));
    } finally {
      conn.rollback(sp);
    }
  }

  /** The role setting written by the application itself (no Strata context) opens nothing. */
  private ProbeResult roleSettingClaim(TenantTable t) throws SQLException {
    Savepoint sp = raw.setSavepoint();
    try {
      long seen = 0;
      for (String claim : Set.of(adminRole, "admin", "administrator")) {
        try (PreparedStatement ps =
            raw.prepareStatement("select set_config(?, '', true), set_config(?, ?, true)")) {
          ps.setString(1, settings.tenantSetting());
          ps.setString(2, settings.roleSetting());
          ps.setString(3, claim);
          ps.execute();
        }
        try (Statement s = raw.createStatement();
            ResultSet rs = s.executeQuery("select count(*) from " + t.qualified())) {
          rs.next();
          seen += rs.getLong(1);
        }
      }
      return new ProbeResult(
          t.qualified(),
          "claim admin in " + settings.roleSetting(),
          "the app's own SQL",
          "0 rows",
          seen + " rows",
          seen == 0);
    } catch (SQLException e) {
      return new ProbeResult(
          t.qualified(),
          "claim admin in " + settings.roleSetting(),
          "the app's own SQL",
          "0 rows",
          outcome(e),
          DENIED.equals(e.getSQLState()));
    } finally {
      raw.rollback(sp);
    }
  }

  /**
   * As tenant A, with tenant B's value left in the session: after a rolled-back savepoint, after an
   * error rolled back to a savepoint, through a plain statement, A sees exactly its own rows.
   */
  private List<ProbeResult> wrapperPaths(TenantTable t, String a) throws SQLException {
    String all = "select count(*) from " + t.qualified();
    long expected = own(t, a);
    List<ProbeResult> results = new ArrayList<>();
    as(TenantContext.tenant(a));
    Savepoint outer = conn.setSavepoint();
    try {
      Savepoint sp = conn.setSavepoint();
      try (Statement s = conn.createStatement()) {
        s.execute("select 1");
      }
      conn.rollback(sp);
      results.add(path(t, "select after a savepoint rollback", expected, run(all)));
      Savepoint failing = conn.setSavepoint();
      try (Statement s = conn.createStatement()) {
        s.execute("select 1/0");
      } catch (SQLException expectedError) {
        conn.rollback(failing);
      }
      results.add(path(t, "select after an error", expected, run(all)));
      long plain;
      try (Statement s = conn.createStatement();
          ResultSet rs = s.executeQuery(all)) {
        rs.next();
        plain = rs.getLong(1);
      }
      results.add(path(t, "select, plain statement", expected, plain));
    } catch (SQLException e) {
      results.add(
          new ProbeResult(
              t.qualified(), "wrapper paths", "tenant A", expected + " rows", outcome(e), false));
    } finally {
      conn.rollback(outer);
    }
    return results;
  }

  private static ProbeResult path(TenantTable t, String op, long expected, long got) {
    return new ProbeResult(
        t.qualified(),
        op,
        "tenant A, B's value in session",
        expected + " rows",
        got + " rows",
        got == expected);
  }

  /** The admin role sees every tenant's rows, when the application's role may use it. */
  private ProbeResult adminSeesAll(TenantTable t) throws SQLException {
    long sum = tenants.stream().mapToLong(id -> own(t, id)).sum();
    boolean member;
    try (PreparedStatement ps =
        raw.prepareStatement(
            "select case when exists (select 1 from pg_roles where rolname = ?)"
                + " then pg_has_role(?, 'MEMBER') else false end")) {
      ps.setString(1, adminRole);
      ps.setString(2, adminRole);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        member = rs.getBoolean(1);
      }
    }
    if (!member) {
      String note =
          "admin not tried: the application's role is not a member of "
              + adminRole
              + " (grant it"
              + " in a migration if the application needs Tenancy.asAdmin)";
      if (!notes.contains(note)) {
        notes.add(note);
      }
      return new ProbeResult(
          t.qualified(), "set role " + adminRole, "the app role", "denied", "not a member", true);
    }
    as(TenantContext.admin());
    Savepoint sp = conn.setSavepoint();
    try {
      long seen = run("select count(*) from " + t.qualified());
      return new ProbeResult(
          t.qualified(),
          "select every tenant",
          "admin",
          ">= " + sum + " rows",
          seen + " rows",
          seen >= sum);
    } catch (SQLException e) {
      return new ProbeResult(
          t.qualified(), "select every tenant", "admin", ">= " + sum + " rows", outcome(e), false);
    } finally {
      conn.rollback(sp);
      as(TenantContext.none());
    }
  }

  // ---- the fuzz -------------------------------------------------------------------------------

  private static final String[] OPERATIONS = {
    "select-victim",
    "select-all",
    "join",
    "update-victim",
    "delete-victim",
    "insert-victim",
    "move-to-victim",
    "truncate",
    "savepoint-noise",
    "error-noise",
    "leave-in-session"
  };

  /** One random transaction of one to four statements, as one tenant (or none), rolled back. */
  private List<Outcome> fuzzOnce(List<TenantTable> tried) throws SQLException {
    String actorId = tenants.get(random.nextInt(tenants.size()));
    TenantContext ctx =
        random.nextInt(8) == 0 ? TenantContext.none() : TenantContext.tenant(actorId);
    List<String> others =
        tenants.stream().filter(id -> ctx.isNone() || !id.equals(actorId)).toList();
    as(ctx);
    List<Outcome> outcomes = new ArrayList<>();
    Savepoint tx = conn.setSavepoint();
    try {
      int n = 1 + random.nextInt(4);
      for (int i = 0; i < n; i++) {
        TenantTable t = tried.get(random.nextInt(tried.size()));
        String victim = others.get(random.nextInt(others.size()));
        String op = OPERATIONS[random.nextInt(OPERATIONS.length)];
        outcomes.add(fuzzStatement(t, ctx, victim, op));
      }
    } finally {
      conn.rollback(tx);
    }
    return outcomes;
  }

  private Outcome fuzzStatement(TenantTable t, TenantContext ctx, String victim, String op)
      throws SQLException {
    String name = t.qualified();
    String col = Sql.ident(t.column());
    String[] ofVictim = belongs(t, victim);
    long mine = ctx.isNone() ? 0 : own(t, ctx.tenantId().orElseThrow());
    Savepoint sp = conn.setSavepoint();
    statements++;
    try {
      Outcome outcome =
          switch (op) {
            case "select-victim" ->
                zero(run("select count(*) from " + name + " where " + ofVictim[0], ofVictim[1]));
            case "select-all" -> exactly(mine, run("select count(*) from " + name));
            case "join" -> join(t, victim);
            case "update-victim" ->
                zero(
                    run(
                        "update " + name + " set " + col + " = " + col + " where " + ofVictim[0],
                        ofVictim[1]));
            case "delete-victim" ->
                zero(run("delete from " + name + " where " + ofVictim[0], ofVictim[1]));
            case "insert-victim" -> {
              try (PreparedStatement ps = maker.insert(t.name(), maker.values(t, victim), false)) {
                ps.execute();
              }
              yield Outcome.LEAK;
            }
            case "move-to-victim" -> {
              if (ctx.isNone()) {
                yield zero(
                    run(
                        "update " + name + " set " + col + " = ?::" + t.columnType(),
                        pointer(t, victim)));
              }
              String[] ofMine = belongs(t, ctx.tenantId().orElseThrow());
              long moved =
                  run(
                      "update "
                          + name
                          + " set "
                          + col
                          + " = ?::"
                          + t.columnType()
                          + " where "
                          + ofMine[0],
                      pointer(t, victim),
                      ofMine[1]);
              yield moved == 0 && mine == 0 ? Outcome.HELD : Outcome.LEAK;
            }
            case "truncate" -> {
              run("truncate " + name);
              yield Outcome.LEAK;
            }
            case "savepoint-noise" -> {
              Savepoint noise = conn.setSavepoint();
              run("select 1");
              conn.rollback(noise);
              yield exactly(mine, run("select count(*) from " + name));
            }
            case "error-noise" -> {
              Savepoint noise = conn.setSavepoint();
              try {
                run("select 1/0");
              } catch (SQLException expected) {
                conn.rollback(noise);
              }
              yield exactly(mine, run("select count(*) from " + name));
            }
            default -> {
              leaveInSession(victim);
              yield exactly(mine, run("select count(*) from " + name));
            }
          };
      conn.releaseSavepoint(sp);
      return outcome;
    } catch (SQLException e) {
      conn.rollback(sp);
      return DENIED.equals(e.getSQLState()) ? Outcome.HELD : Outcome.ERROR;
    }
  }

  /** A child joined to its parent, the parent filtered to the victim's rows: nothing. */
  private Outcome join(TenantTable t, String victim) throws SQLException {
    if (!t.isChild()) {
      return zero(
          run(
              "select count(*) from "
                  + t.qualified()
                  + " a join "
                  + t.qualified()
                  + " b on b."
                  + Sql.ident(t.column())
                  + " = a."
                  + Sql.ident(t.column())
                  + " where a."
                  + belongs(t, victim)[0],
              belongs(t, victim)[1]));
    }
    TenantTable parent =
        tables.stream()
            .filter(p -> p.name().equals(t.parent().orElseThrow()))
            .findFirst()
            .orElseThrow();
    String[] ofVictim = belongs(parent, victim);
    return zero(
        run(
            "select count(*) from "
                + t.qualified()
                + " c join "
                + parent.qualified()
                + " p on p."
                + Sql.ident(t.parentKey())
                + " = c."
                + Sql.ident(t.column())
                + " where p."
                + ofVictim[0],
            ofVictim[1]));
  }

  private static Outcome zero(long n) {
    return n == 0 ? Outcome.HELD : Outcome.LEAK;
  }

  private static Outcome exactly(long expected, long n) {
    return n == expected ? Outcome.HELD : n > expected ? Outcome.LEAK : Outcome.ERROR;
  }

  /** Runs {@code sql} through the wrapper: the count it selects, or the rows it changed. */
  private long run(String sql, String... params) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      if (ps.execute()) {
        try (ResultSet rs = ps.getResultSet()) {
          return rs.next() ? rs.getLong(1) : 0;
        }
      }
      return ps.getLargeUpdateCount();
    }
  }

  private static String outcome(SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    msg = msg.replaceFirst("^ERROR: ", "");
    if (DENIED.equals(e.getSQLState()) && msg.startsWith("new row violates row-level security")) {
      return "denied by policy";
    }
    if (DENIED.equals(e.getSQLState()) && msg.startsWith("permission denied")) {
      return "permission denied";
    }
    return "error " + e.getSQLState() + ": " + msg;
  }
}
