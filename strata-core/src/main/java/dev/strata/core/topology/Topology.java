package dev.strata.core.topology;

import dev.strata.core.env.StackState;
import dev.strata.core.spec.StrataSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The resolved stack: every instance with its role, address and port, computed once from
 * strata.yaml and the stack's state and shared by {@code up}, {@code status}, {@code env} and
 * strata-test.
 *
 * <p>The port rule lives here and nowhere else: a configured port is that port; port 0 is the port
 * remembered in the state file; with nothing remembered, {@code up} picks a free one and remembers
 * it, while every other command sees 0 (the stack was never brought up).
 */
public final class Topology {
  private final List<Instance> instances;

  private Topology(List<Instance> instances) {
    this.instances = List.copyOf(instances);
  }

  /**
   * Resolves the instances of {@code spec}.
   *
   * @param freePort picks (and the state then remembers) a free port for a port-0 instance that has
   *     none yet; empty to pick nothing, for commands that only look
   */
  public static Topology resolve(
      StrataSpec spec, StackState state, Optional<IntSupplier> freePort) {
    String host = clientHost(spec.security().bind());
    List<Instance> all = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (int ordinal = 1; ordinal <= count(spec, kind); ordinal++) {
        Instance draft =
            new Instance(
                Instance.idOf(kind, ordinal), kind, ordinal, role(spec, kind, ordinal), host, 0);
        all.add(draft.withPort(port(spec, state, draft, freePort)));
      }
    }
    return new Topology(all);
  }

  /** The host clients connect to for a bind address: loopback for a wildcard bind. */
  public static String clientHost(String bind) {
    return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
  }

  /** Every instance, in start order of their kinds. */
  public List<Instance> instances() {
    return instances;
  }

  /** The instances of one kind. */
  public List<Instance> of(Kind kind) {
    return instances.stream().filter(i -> i.kind() == kind).toList();
  }

  /** The first instance of a kind: the PostgreSQL primary, the Redis master, the pooler. */
  public Instance first(Kind kind) {
    return of(kind).get(0);
  }

  /** The instance named {@code id}. */
  public Optional<Instance> instance(String id) {
    return instances.stream().filter(i -> i.id().equals(id)).findFirst();
  }

  /** This topology with one instance's port replaced by the one its live server listens on. */
  public Topology withLivePort(String id, int livePort) {
    return new Topology(
        instances.stream().map(i -> i.id().equals(id) ? i.withPort(livePort) : i).toList());
  }

  /**
   * This topology with {@code id} the only instance of its kind, on {@code livePort}: the URLs of a
   * restored copy beside a Patroni cluster name the copy alone, never the cluster's nodes.
   */
  public Topology alone(String id, int livePort) {
    Kind kind = instance(id).map(Instance::kind).orElseThrow();
    return new Topology(
        instances.stream()
            .filter(i -> i.kind() != kind || i.id().equals(id))
            .map(i -> i.id().equals(id) ? i.withPort(livePort) : i)
            .toList());
  }

  /** The strata.yaml key that sets an instance's port. */
  public static String portKey(Instance instance) {
    return switch (instance.kind()) {
      case POSTGRES, POOLER, REDIS -> instance.kind().key() + ".port";
      case PG_EXPORTER -> "monitoring.postgres_exporter_port";
      case REDIS_EXPORTER -> "monitoring.redis_exporter_port";
      case PGBOUNCER_EXPORTER -> "monitoring.pgbouncer_exporter_port";
      case NODE_EXPORTER -> "monitoring.node_exporter_port";
      case PROMETHEUS -> "monitoring.prometheus_port";
      case ALERTMANAGER -> "monitoring.alertmanager_port";
      case ETCD -> "postgres.etcd_members (etcd client port)";
      case SENTINEL -> "redis.sentinel_port";
    };
  }

  private static int count(StrataSpec spec, Kind kind) {
    return switch (kind) {
      case POSTGRES -> spec.postgres().nodes();
      case ETCD -> spec.postgres().highlyAvailable() ? spec.postgres().etcdMembers() : 0;
      case POOLER -> 1;
      case REDIS -> spec.redis().nodes();
      case SENTINEL -> spec.redis().sentinels();
      case PG_EXPORTER,
          REDIS_EXPORTER,
          PGBOUNCER_EXPORTER,
          NODE_EXPORTER,
          PROMETHEUS,
          ALERTMANAGER ->
          spec.monitoring().enabled() ? 1 : 0;
    };
  }

  private static String role(StrataSpec spec, Kind kind, int ordinal) {
    if (kind == Kind.REDIS && spec.redis().cluster()) {
      // redis-cli --cluster create makes the first nodes it is given the masters
      return ordinal <= spec.redis().masters() ? "master" : "replica";
    }
    return switch (kind) {
      case POSTGRES -> ordinal == 1 ? "primary" : "replica";
      case REDIS -> ordinal == 1 ? "master" : "replica";
      case POOLER -> "pooler";
      case PG_EXPORTER, REDIS_EXPORTER, PGBOUNCER_EXPORTER, NODE_EXPORTER -> "exporter";
      case PROMETHEUS, ALERTMANAGER -> "monitoring";
      case ETCD -> "etcd";
      case SENTINEL -> "sentinel";
    };
  }

  private static int port(
      StrataSpec spec, StackState state, Instance instance, Optional<IntSupplier> freePort) {
    int configured =
        switch (instance.kind()) {
          case POSTGRES -> spec.postgres().port();
          case POOLER -> spec.pooler().port();
          case REDIS -> spec.redis().port();
          case PG_EXPORTER -> spec.monitoring().postgresExporterPort();
          case REDIS_EXPORTER -> spec.monitoring().redisExporterPort();
          case PGBOUNCER_EXPORTER -> spec.monitoring().pgbouncerExporterPort();
          case NODE_EXPORTER -> spec.monitoring().nodeExporterPort();
          case PROMETHEUS -> spec.monitoring().prometheusPort();
          case ALERTMANAGER -> spec.monitoring().alertmanagerPort();
          case ETCD -> 0;
          case SENTINEL -> spec.redis().sentinelPort();
        };
    if (configured != 0) {
      return configured + instance.ordinal() - 1;
    }
    Optional<Integer> remembered = state.port(instance.stateName());
    if (remembered.isPresent() || freePort.isEmpty()) {
      return remembered.orElse(0);
    }
    int picked = freePort.get().getAsInt();
    state.rememberPort(instance.stateName(), picked);
    return picked;
  }
}
