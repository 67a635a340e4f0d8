package dev.strata.ops.stack;

import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import dev.strata.ops.backup.Backups;
import dev.strata.ops.backup.PgBackRest;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.component.PostgresSettings;
import dev.strata.ops.ha.EtcdMember;
import dev.strata.ops.ha.Failovers;
import dev.strata.ops.ha.PatroniNode;
import dev.strata.ops.monitor.Monitoring;
import dev.strata.ops.pgbouncer.PgBouncerServer;
import dev.strata.ops.postgres.PostgresBootstrap;
import dev.strata.ops.postgres.PostgresServer;
import dev.strata.ops.redis.RedisServer;
import dev.strata.ops.redis.SentinelServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The components of one stack, built from its resolved topology: the one place that knows which
 * engine runs each instance. Adding an engine is a {@link Component} and a case here.
 */
final class StackPlan {
  private final ComponentContext context;
  private final PostgresBootstrap bootstrap;
  private final List<Component> components;
  private volatile Map<String, String> postgresSettings;

  /**
   * @param context the stack, with the live topology: where the servers really listen
   * @param wanted the topology strata.yaml asks for: each component renders its own instance's
   */
  StackPlan(ComponentContext context, Topology wanted) {
    this.context = context;
    this.bootstrap = new PostgresBootstrap(context.spec(), context.secrets());
    List<Component> all = new ArrayList<>();
    for (Instance instance : wanted.instances()) {
      all.add(build(instance));
    }
    this.components = Collections.unmodifiableList(all);
  }

  /**
   * The ports the live servers of a topology listen on, read back from each running server's own
   * files (PostgreSQL's pid file, the listener PgBouncer and Redis were started with).
   */
  static Optional<Integer> livePort(Instance instance, Path folder) {
    return switch (instance.kind()) {
      case POSTGRES -> PostgresServer.livePort(folder);
      case POOLER -> PgBouncerServer.livePort(folder);
      case REDIS -> RedisServer.livePort(folder);
      // These keep the port they were started with: the remembered one.
      case PG_EXPORTER,
          REDIS_EXPORTER,
          PGBOUNCER_EXPORTER,
          NODE_EXPORTER,
          PROMETHEUS,
          ALERTMANAGER,
          ETCD,
          SENTINEL ->
          Optional.empty();
    };
  }

  private Component build(Instance instance) {
    return switch (instance.kind()) {
      case POSTGRES ->
          context.spec().postgres().highlyAvailable()
              ? new PatroniNode(context, instance, bootstrap, this::postgresSettings)
              : new PostgresServer(context, instance, bootstrap, this::postgresSettings);
      case POOLER ->
          new PgBouncerServer(
              context,
              instance,
              bootstrap::verifiers,
              () ->
                  StackEnvs.resolve(
                          context.dir().root().getParent(),
                          context.spec(),
                          context.topology(),
                          context.spec().postgres().primaryDatabase())
                      .pooled());
      case REDIS -> new RedisServer(context, instance);
      case PG_EXPORTER,
          REDIS_EXPORTER,
          PGBOUNCER_EXPORTER,
          NODE_EXPORTER,
          PROMETHEUS,
          ALERTMANAGER ->
          Monitoring.component(context, instance);
      case ETCD -> new EtcdMember(context, instance);
      case SENTINEL -> new SentinelServer(context, instance);
    };
  }

  /** Every component, in the topology's order. */
  List<Component> components() {
    return components;
  }

  /** The component of one instance. */
  Component component(String id) {
    return components.stream()
        .filter(c -> c.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no instance " + id));
  }

  /** The first component of a kind. */
  Component first(Kind kind) {
    return component(context.topology().first(kind).id());
  }

  ComponentContext context() {
    return context;
  }

  /** What {@code up} does once every component is healthy, in order (see {@link AfterStart}). */
  List<AfterStart> afterStart() {
    List<AfterStart> steps = new ArrayList<>();
    if (context.spec().postgres().highlyAvailable() && context.spec().postgres().synchronous()) {
      steps.add(new AfterStart("waiting for a synchronous standby", this::awaitSynchronousStandby));
    }
    steps.add(
        new AfterStart(
            "creating the backup repository", progress -> Backups.afterUp(context, progress)));
    return steps;
  }

  /**
   * A synchronous cluster is what strata.yaml asks for only once Patroni has named a synchronous
   * standby (a few seconds after the replicas stream): {@code up} waits for it, and says so when it
   * does not come, rather than fail a cluster that serves.
   */
  private void awaitSynchronousStandby(java.util.function.Consumer<String> progress) {
    Duration limit = Duration.ofSeconds(60);
    if (!new Failovers(context).awaitSynchronousStandby(limit)) {
      progress.accept(
          "no synchronous standby within "
              + limit.toSeconds()
              + " s: until Patroni names one, commits wait for no replica and a crashed leader is"
              + " restarted in place (strata status shows the roles)");
    }
  }

  PostgresBootstrap bootstrap() {
    return bootstrap;
  }

  /** What every component contributes to postgresql.conf, merged once. */
  private Map<String, String> postgresSettings() {
    Map<String, String> settings = postgresSettings;
    if (settings == null) {
      PostgresSettings merged = new PostgresSettings();
      components.forEach(c -> merged.add(c.id(), c.postgresSettings()));
      merged.add("pgbackrest", PgBackRest.postgresSettings(context));
      settings = merged.toMap();
      postgresSettings = settings;
    }
    return settings;
  }
}
