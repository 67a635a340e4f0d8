package dev.strata.ops.advisor;

import dev.strata.core.StrataException;
import dev.strata.core.spec.AdvisorSpec;
import dev.strata.jdbc.migrate.DatabaseVersion;
import dev.strata.jdbc.migrate.Migrator;
import dev.strata.jdbc.tenant.audit.TenancyAudit;
import dev.strata.ops.backup.BackupSet;
import dev.strata.ops.backup.Backups;
import dev.strata.ops.backup.Drill;
import dev.strata.ops.stack.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What the stack's other engines know, judged: the tenancy audit (strata-jdbc's), the migration
 * version and dirty state (the migration engine's own table reader) and the backups (pgBackRest's
 * info and the drill journal).
 */
final class StackChecks {
  private final Stack stack;
  private final Databases databases;

  StackChecks(Stack stack, Databases databases) {
    this.stack = stack;
    this.databases = databases;
  }

  /** The tenancy audit's failing findings of one database, or empty when it has no tenant table. */
  List<Finding> tenancy(String database) throws SQLException {
    var security = stack.spec().security();
    try (Connection c = databases.owner(database)) {
      List<dev.strata.jdbc.tenant.audit.Finding> found =
          TenancyAudit.run(
              c,
              stack.spec().tenancy(),
              security.appRole(database),
              security.readonlyRole(database));
      List<Finding> findings = new ArrayList<>();
      for (var f : found) {
        if (f.severity().fails()) {
          findings.add(
              new Finding(
                  "tenancy",
                  database + "." + f.object(),
                  switch (f.severity()) {
                    case CRITICAL, HIGH -> Verdict.CRITICAL;
                    default -> Verdict.WARN;
                  },
                  f.severity().name().toLowerCase(java.util.Locale.ROOT) + ": " + f.problem(),
                  "any finding of `strata tenancy verify` but a notice",
                  "fix: " + f.fix()));
        }
      }
      return findings;
    } catch (StrataException e) {
      if (e.getMessage().startsWith("no tenant table")) {
        return List.of(); // tenancy is not used in this database
      }
      throw e;
    }
  }

  Section tenancySection() throws SQLException {
    List<Finding> findings = new ArrayList<>();
    for (String db : databases.names()) {
      findings.addAll(tenancy(db));
    }
    if (findings.isEmpty()) {
      findings.add(
          Finding.ok("tenancy", "postgres", "no failing finding", "strata tenancy verify"));
    }
    return new Section("tenancy", findings, List.of());
  }

  /** The version and dirty state of one database; empty without a migrations folder. */
  Optional<DatabaseVersion> migration(String database) {
    Path dir = stack.projectDir().resolve(stack.spec().migrations().dir());
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    var direct = stack.env(database).direct();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(direct.jdbcUrl());
    direct.jdbcProperties().forEach((k, v) -> setProperty(ds, (String) k, (String) v));
    return Optional.of(Migrator.of(ds, dir).version());
  }

  private static void setProperty(PGSimpleDataSource ds, String key, String value) {
    try {
      ds.setProperty(key, value);
    } catch (SQLException e) {
      throw new IllegalArgumentException("pgjdbc refused the property " + key, e);
    }
  }

  Section migrationsSection() {
    List<Finding> findings = new ArrayList<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String db : databases.names()) {
      Optional<DatabaseVersion> v = migration(db);
      if (v.isEmpty()) {
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("database", db);
      row.put("version", v.get().version());
      row.put("dirty", v.get().dirty());
      rows.add(row);
      findings.add(
          new Finding(
              "migration",
              db,
              v.get().dirty() ? Verdict.CRITICAL : Verdict.OK,
              v.get().toString(),
              "a dirty version is critical",
              v.get().dirty()
                  ? "a migration stopped part-way: see `strata migrate status`, fix the database,"
                      + " then `strata migrate force V`"
                  : ""));
    }
    if (findings.isEmpty()) {
      findings.add(Finding.ok("migration", "postgres", "no migrations folder", ""));
    }
    return new Section("migrations", findings, rows);
  }

  /** The newest backup and drill, judged against {@code advisor.backup_max_age}. */
  Section backupsSection() {
    if (!stack.spec().backup().enabled()) {
      return new Section(
          "backups",
          List.of(
              new Finding(
                  "backup",
                  "postgres",
                  Verdict.WARN,
                  "backups are off (backup.enabled: false)",
                  "",
                  "without backups a lost disk loses the data: set backup.enabled: true")),
          List.of());
    }
    Backups backups = new Backups(stack.context(), line -> {});
    List<BackupSet> sets = backups.list();
    Duration maxAge = stack.spec().advisor().get(AdvisorSpec.BACKUP_MAX_AGE);
    String threshold = "warn past " + AdvisorSpec.path(AdvisorSpec.BACKUP_MAX_AGE);
    List<Finding> findings = new ArrayList<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    if (sets.isEmpty()) {
      findings.add(
          new Finding(
              "backup",
              "postgres",
              Verdict.WARN,
              "no backup yet",
              threshold,
              "take one with `strata backup full`"));
    } else {
      BackupSet last = sets.get(sets.size() - 1);
      Duration age = Duration.between(last.stop(), Instant.now());
      boolean old = age.compareTo(maxAge) > 0;
      findings.add(
          new Finding(
              "backup",
              last.label(),
              last.error() ? Verdict.CRITICAL : old ? Verdict.WARN : Verdict.OK,
              last.type()
                  + ", "
                  + age.toMinutes()
                  + " min old"
                  + (last.error() ? ", with page checksum errors" : ""),
              threshold,
              old ? "take a backup (`strata backup full`) and check its schedule" : ""));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("backups", sets.size());
      row.put("last", last.label());
      row.put("last_stop", last.stop().toString());
      rows.add(row);
    }
    List<Map<String, Object>> drills = Drill.recorded(backups.engine());
    if (!drills.isEmpty()) {
      Map<String, Object> d = drills.get(drills.size() - 1);
      boolean ok = Boolean.TRUE.equals(d.get("ok"));
      findings.add(
          new Finding(
              "drill",
              String.valueOf(d.get("backup_set")),
              ok ? Verdict.OK : Verdict.CRITICAL,
              (ok ? "passed " : "FAILED ") + d.get("at") + ", RTO " + d.get("rto_ms") + " ms",
              "the last drill must pass",
              ok
                  ? ""
                  : "the last restore drill failed: see `strata backup list` and run `strata drill`"));
    }
    return new Section("backups", findings, rows);
  }
}
