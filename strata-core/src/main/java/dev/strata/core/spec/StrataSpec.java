package dev.strata.core.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole of strata.yaml, read and validated. Every key has a default, so an empty (or missing)
 * file gives a working stack.
 */
public record StrataSpec(
    PostgresSpec postgres,
    PoolerSpec pooler,
    RedisSpec redis,
    SecuritySpec security,
    MigrationsSpec migrations,
    TenancySpec tenancy,
    BackupSpec backup,
    MonitoringSpec monitoring,
    AlertsSpec alerts,
    AdvisorSpec advisor,
    AgentSpec agent) {

  /** Every section, in the order {@code strata init} writes them. */
  public static final List<Section<?>> SECTIONS =
      List.of(
          PostgresSpec.SECTION,
          PoolerSpec.SECTION,
          RedisSpec.SECTION,
          SecuritySpec.SECTION,
          MigrationsSpec.SECTION,
          TenancySpec.SECTION,
          BackupSpec.SECTION,
          MonitoringSpec.SECTION,
          AlertsSpec.SECTION,
          AdvisorSpec.SECTION,
          AgentSpec.SECTION);

  /** Every key at its default. */
  public static StrataSpec defaults() {
    return SpecLoader.parse("", "strata.yaml", name -> null);
  }

  static StrataSpec build(Map<Section<?>, Values> values) {
    SecuritySpec security = SecuritySpec.SECTION.build().apply(values.get(SecuritySpec.SECTION));
    return new StrataSpec(
        PostgresSpec.SECTION.build().apply(values.get(PostgresSpec.SECTION)),
        PoolerSpec.SECTION.build().apply(values.get(PoolerSpec.SECTION)),
        RedisSpec.of(values.get(RedisSpec.SECTION), security),
        security,
        MigrationsSpec.SECTION.build().apply(values.get(MigrationsSpec.SECTION)),
        TenancySpec.SECTION.build().apply(values.get(TenancySpec.SECTION)),
        BackupSpec.SECTION.build().apply(values.get(BackupSpec.SECTION)),
        MonitoringSpec.SECTION.build().apply(values.get(MonitoringSpec.SECTION)),
        AlertsSpec.SECTION.build().apply(values.get(AlertsSpec.SECTION)),
        AdvisorSpec.SECTION.build().apply(values.get(AdvisorSpec.SECTION)),
        AgentSpec.SECTION.build().apply(values.get(AgentSpec.SECTION)));
  }

  /** Rules that span keys: each problem names the key it stands at. */
  static List<SpecProblem> crossCheck(Map<Section<?>, Values> values) {
    List<SpecProblem> problems = new ArrayList<>();
    Values pg = values.get(PostgresSpec.SECTION);
    List<String> databases = pg.get(PostgresSpec.DATABASES);
    if (databases.isEmpty()) {
      problems.add(
          new SpecProblem(
              pg.location(PostgresSpec.DATABASES),
              pg.path(PostgresSpec.DATABASES),
              "the list is empty: name at least one database"));
    }
    if (databases.stream().distinct().count() != databases.size()) {
      problems.add(
          new SpecProblem(
              pg.location(PostgresSpec.DATABASES),
              pg.path(PostgresSpec.DATABASES),
              "a database is listed twice: " + databases));
    }
    if (databases.contains("pgbouncer") || databases.contains("postgres")) {
      problems.add(
          new SpecProblem(
              pg.location(PostgresSpec.DATABASES),
              pg.path(PostgresSpec.DATABASES),
              "'postgres' and 'pgbouncer' are reserved database names: choose another"));
    }
    checkPortsDistinct(values, problems);
    Values redis = values.get(RedisSpec.SECTION);
    if (redis.get(RedisSpec.TLS).orElse(false)
        && !values.get(SecuritySpec.SECTION).get(SecuritySpec.TLS)) {
      // The Redis certificate is the one security.tls makes (or copies from tls_cert_file).
      problems.add(
          new SpecProblem(
              redis.location(RedisSpec.TLS),
              redis.path(RedisSpec.TLS),
              "true needs security.tls: true, which provides the certificate: set security.tls:"
                  + " true, or redis.tls: auto"));
    }
    problems.addAll(TenancySpec.crossCheck(values.get(TenancySpec.SECTION)));
    problems.addAll(BackupSpec.crossCheck(values.get(BackupSpec.SECTION)));
    return problems;
  }

  private static void checkPortsDistinct(
      Map<Section<?>, Values> values, List<SpecProblem> problems) {
    Map<Integer, String> seen = new HashMap<>();
    List<Map.Entry<Values, Key<Integer>>> ports =
        List.of(
            Map.entry(values.get(PostgresSpec.SECTION), PostgresSpec.PORT),
            Map.entry(values.get(PoolerSpec.SECTION), PoolerSpec.PORT),
            Map.entry(values.get(RedisSpec.SECTION), RedisSpec.PORT));
    for (Map.Entry<Values, Key<Integer>> e : ports) {
      Values v = e.getKey();
      int port = v.get(e.getValue());
      String path = v.path(e.getValue());
      String other = port == 0 ? null : seen.putIfAbsent(port, path);
      if (other != null) {
        problems.add(
            new SpecProblem(
                v.location(e.getValue()),
                path,
                "port " + port + " is also " + other + ": give each server its own port"));
      }
    }
  }
}
