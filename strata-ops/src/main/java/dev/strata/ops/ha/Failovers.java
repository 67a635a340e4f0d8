package dev.strata.ops.ha;

import dev.strata.core.StrataException;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.Wait;
import java.time.Duration;
import java.util.Optional;

/**
 * Planned and forced changes of the Patroni leader, through the REST API of the nodes: {@code
 * strata switchover} (the leader steps down for a healthy replica) and {@code strata failover
 * --force} (a replica is promoted when no healthy leader is left).
 */
public final class Failovers {
  private final ComponentContext context;

  public Failovers(ComponentContext context) {
    this.context = context;
    if (!context.spec().postgres().highlyAvailable()) {
      throw StrataException.badInput(
          "this stack has one PostgreSQL server (postgres.nodes is 1): there is no replica to"
              + " switch to",
          "set postgres.nodes: 3 in strata.yaml and run strata up");
    }
  }

  /** The node holding the leader key now. */
  public Optional<Instance> leader() {
    return PoolerTargets.leader(context);
  }

  /**
   * Waits until Patroni names a synchronous standby: until then a synchronous cluster commits
   * without waiting for any replica, and a leader that crashes has no node it may fail over to.
   *
   * @return whether one was named within {@code limit}
   */
  public boolean awaitSynchronousStandby(Duration limit) {
    return Wait.until(
        () ->
            leader()
                .flatMap(l -> PoolerTargets.rest(context, l).cluster())
                .map(
                    c -> {
                      for (var m : c.path("members")) {
                        String state = m.path("state").asText();
                        // Patroni 3.0 says running of a replica that streams; later ones streaming.
                        if (m.path("role").asText().equals("sync_standby")
                            && (state.equals("running") || state.equals("streaming"))) {
                          return true;
                        }
                      }
                      return false;
                    })
                .orElse(false),
        limit);
  }

  /**
   * Hands the leadership to {@code candidate} (or the replica Patroni picks) and waits until the
   * new leader answers.
   *
   * @return the new leader and how long it took
   */
  public Change switchover(Optional<String> candidate) {
    Instance leader =
        leader()
            .orElseThrow(
                () ->
                    StrataException.environment(
                        "the cluster has no leader: a switchover needs a healthy one",
                        "run strata failover --force [--to NODE] to promote a replica"));
    candidate.ifPresent(c -> requireNode(c, leader));
    if (context.spec().postgres().synchronous()) {
      // Just after a change of leader the new one names its synchronous standby within a loop or
      // two; Patroni refuses a switchover until it has.
      Wait.until(() -> syncStandby(leader).isPresent(), Duration.ofSeconds(30));
    }
    if (candidate.isPresent() && context.spec().postgres().synchronous()) {
      Optional<String> sync = syncStandby(leader);
      if (sync.isPresent() && !sync.get().equals(candidate.get())) {
        throw StrataException.badInput(
            "in synchronous mode only the synchronous standby ("
                + sync.get()
                + ") has every acknowledged commit: "
                + candidate.get()
                + " may not take over",
            "run strata switchover --to " + sync.get() + ", or leave out --to");
      }
    }
    String body =
        "{\"leader\":\""
            + leader.id()
            + "\""
            + candidate.map(c -> ",\"candidate\":\"" + c + "\"").orElse("")
            + "}";
    long start = System.nanoTime();
    PatroniRest.Answer answer =
        PoolerTargets.rest(context, leader).post("/switchover", body, Duration.ofSeconds(60));
    if (!answer.ok()) {
      throw StrataException.failed(
          "Patroni refused the switchover from " + leader.id() + ": " + answer.body(),
          "check strata status (a replica must be running and not lagging) and try again",
          null);
    }
    return awaitNewLeader(leader, start);
  }

  /**
   * Promotes {@code candidate} (or the first running replica) whatever the leader's state.
   *
   * @param force required: a forced failover in asynchronous mode may lose the last writes
   */
  public Change failover(Optional<String> candidate, boolean force) {
    if (!force) {
      throw StrataException.badInput(
          "a failover promotes a replica even when the leader may still be alive",
          "use strata switchover for a planned change, or strata failover --force");
    }
    Optional<Instance> leader = leader();
    Optional<String> sync =
        context.spec().postgres().synchronous()
            ? leader.flatMap(this::syncStandby)
            : Optional.empty();
    String target =
        candidate
            .or(() -> sync)
            .orElseGet(
                () ->
                    context.topology().of(Kind.POSTGRES).stream()
                        .filter(i -> leader.map(l -> !l.id().equals(i.id())).orElse(true))
                        .filter(i -> PoolerTargets.rest(context, i).node().isPresent())
                        .map(Instance::id)
                        .findFirst()
                        .orElseThrow(
                            () ->
                                StrataException.environment(
                                    "no running replica to promote",
                                    "start a node (strata up) and try again")));
    requireNode(target, null);
    if (sync.isPresent() && !sync.get().equals(target)) {
      throw StrataException.badInput(
          "in synchronous mode only the synchronous standby ("
              + sync.get()
              + ") has every acknowledged commit: Patroni will not promote "
              + target,
          "run strata failover --force --to " + sync.get() + ", or leave out --to");
    }
    long start = System.nanoTime();
    Instance via = context.topology().instance(target).orElseThrow();
    PatroniRest.Answer answer =
        PoolerTargets.rest(context, via)
            .post("/failover", "{\"candidate\":\"" + target + "\"}", Duration.ofSeconds(60));
    if (!answer.ok()) {
      throw StrataException.failed(
          "Patroni refused the failover to " + target + ": " + answer.body(),
          "check strata status and strata logs " + target,
          null);
    }
    return awaitNewLeader(leader.orElse(null), start);
  }

  /** The synchronous standby, as the leader's REST API reports it. */
  private Optional<String> syncStandby(Instance leader) {
    return PoolerTargets.rest(context, leader)
        .cluster()
        .flatMap(
            c -> {
              for (var m : c.path("members")) {
                if (m.path("role").asText().equals("sync_standby")) {
                  return Optional.of(m.path("name").asText());
                }
              }
              return Optional.empty();
            });
  }

  private Change awaitNewLeader(Instance old, long start) {
    Optional<Instance>[] now = new Optional[] {Optional.empty()};
    boolean done =
        Wait.until(
            () -> {
              now[0] = leader();
              return now[0].isPresent()
                  && (old == null || !now[0].get().id().equals(old.id()))
                  && PoolerTargets.rest(context, now[0].get())
                      .node()
                      .map(n -> PatroniNode.isLeaderRole(n.path("role").asText()))
                      .orElse(false);
            },
            Duration.ofSeconds(60));
    if (!done) {
      throw StrataException.failed(
          "no new leader answered within 60 s",
          "see strata status and strata logs postgres-1 (and the other nodes)",
          null);
    }
    return new Change(
        old == null ? "none" : old.id(),
        now[0].get().id(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  private void requireNode(String name, Instance leader) {
    Optional<Instance> node =
        context.topology().instance(name).filter(i -> i.kind() == Kind.POSTGRES);
    if (node.isEmpty()) {
      throw StrataException.badInput(
          "no PostgreSQL node named '" + name + "'",
          "name one of "
              + context.topology().of(Kind.POSTGRES).stream().map(Instance::id).toList());
    }
    if (leader != null && leader.id().equals(name)) {
      throw StrataException.badInput(
          name + " is the leader already", "name a replica, or leave out --to");
    }
  }

  /** A change of leader: from, to, and how long until the new one answered. */
  public record Change(String from, String to, Duration took) {}
}
