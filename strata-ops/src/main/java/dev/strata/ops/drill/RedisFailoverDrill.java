package dev.strata.ops.drill;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.Wait;
import dev.strata.ops.redis.Sentinels;
import dev.strata.ops.stack.ComponentStatus;
import dev.strata.ops.stack.Stack;
import dev.strata.redis.connect.StrataRedis;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The Redis half of {@code strata drill failover}: a writer appends numbered entries through
 * REDIS_URL (Lettuce following the Sentinels, as an application does), the master is killed ({@code
 * kill -9}) or frozen ({@code SIGSTOP}), and the drill measures how long until writes are
 * acknowledged again (RTO) and which acknowledged entries the new master still has. The killed node
 * is then brought back and must rejoin as a replica before the next round.
 */
public final class RedisFailoverDrill {
  /** How the master is taken away. */
  public enum Fault {
    KILL,
    STOP
  }

  /**
   * One round.
   *
   * @param rtoMillis from the fault to the first write acknowledged after writes began failing
   * @param acknowledged entries the writer saw acknowledged
   * @param lost acknowledged entries the new master does not have
   * @param duplicated entries stored more than once (a retried write whose first try had landed)
   */
  public record Round(
      long rtoMillis,
      long acknowledged,
      long lost,
      long duplicated,
      String oldLeader,
      String newLeader) {
    /** The JSON shape the PostgreSQL drill uses too. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("rto_ms", rtoMillis);
      m.put("acknowledged", acknowledged);
      m.put("lost", lost);
      m.put("duplicated", duplicated);
      m.put("old_leader", oldLeader);
      m.put("new_leader", newLeader);
      return m;
    }
  }

  private static final Duration FAILOVER_LIMIT = Duration.ofSeconds(60);

  private final Stack stack;
  private final Consumer<String> progress;

  public RedisFailoverDrill(Stack stack, Consumer<String> progress) {
    this.stack = stack;
    this.progress = progress;
  }

  /**
   * Runs {@code rounds} failovers.
   *
   * @throws StrataException when the stack is not in Sentinel mode, no master is known, or a
   *     failover does not happen within 60 s
   */
  public List<Round> run(Fault fault, int rounds) {
    if (!stack.spec().redis().sentinel() && !stack.spec().redis().cluster()) {
      throw StrataException.badInput(
          "the Redis failover drill needs redis.mode: sentinel or cluster (this stack's is "
              + stack.spec().redis().mode()
              + ")",
          "set redis.mode: sentinel (or cluster) in strata.yaml and run strata up");
    }
    List<Round> result = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      Round round = round(fault);
      progress.accept(
          "round "
              + r
              + ": "
              + round.oldLeader()
              + " -> "
              + round.newLeader()
              + ", RTO "
              + round.rtoMillis()
              + " ms, "
              + round.acknowledged()
              + " acknowledged, "
              + round.lost()
              + " lost, "
              + round.duplicated()
              + " duplicated");
      result.add(round);
    }
    return result;
  }

  private Round round(Fault fault) {
    String list = "strata:drill:" + UUID.randomUUID();
    RedisEndpoint endpoint = stack.env().redis();
    try (StrataRedis redis =
        StrataRedis.builder(endpoint)
            .commandTimeout(Duration.ofMillis(500))
            .reconnectDelayMax(Duration.ofMillis(100))
            .build()) {
      Instance old = redis.isCluster() ? owner(redis, list) : master();
      long pid =
          stack.status().stream()
              .filter(s -> s.instance().id().equals(old.id()))
              .findFirst()
              .flatMap(ComponentStatus::pid)
              .orElseThrow(
                  () ->
                      StrataException.environment(
                          old.id() + " is the master but does not run", "run strata up first"));
      awaitReplicasInSync();
      Writer writer = new Writer(redis, list);
      Thread thread = new Thread(writer, "strata-redis-drill-writer");
      thread.setDaemon(true);
      thread.start();
      Wait.until(() -> writer.acknowledged.size() >= 50, Duration.ofSeconds(10));
      progress.accept(
          (fault == Fault.KILL ? "killing (kill -9) " : "freezing (SIGSTOP) ")
              + "the master "
              + old.id());
      long faultAt = System.nanoTime();
      writer.faultAt = faultAt;
      signal(pid, fault == Fault.KILL ? "-KILL" : "-STOP");
      Instance now;
      try {
        if (fault == Fault.STOP) {
          // A client's connection to a frozen master neither fails nor answers: it moves only when
          // the stall ends and Sentinel demotes the old master (and closes its clients). The
          // stall is therefore ended as soon as another node is promoted.
          boolean promoted =
              Wait.until(() -> !currentMaster(redis, list).equals(old), FAILOVER_LIMIT);
          signal(pid, "-CONT");
          if (!promoted) {
            throw StrataException.failed(
                "no other node was promoted within "
                    + FAILOVER_LIMIT.toSeconds()
                    + " s of freezing "
                    + old.id(),
                "read the Sentinels' logs (strata logs sentinel-1)",
                null);
          }
        }
        boolean recovered = Wait.until(() -> writer.recoveredAt > 0, FAILOVER_LIMIT);
        if (!recovered) {
          throw StrataException.failed(
              "writes through REDIS_URL did not succeed again within "
                  + FAILOVER_LIMIT.toSeconds()
                  + " s of the fault on "
                  + old.id(),
              "read the Sentinels' logs (strata logs sentinel-1) and the nodes' (strata logs"
                  + " redis-2)",
              null);
        }
        Wait.until(() -> writer.acknowledged.size() >= writer.afterRecovery + 50, seconds(10));
        writer.stop = true;
        thread.join(5000);
        now = currentMaster(redis, list);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw StrataException.failed("the drill was interrupted", "run it again", e);
      } finally {
        writer.stop = true;
        bringBack(old, pid, fault);
      }
      Map<Long, Integer> stored = new HashMap<>();
      for (byte[] entry : redis.sync().lrange(list, 0, -1)) {
        stored.merge(Long.parseLong(new String(entry, StandardCharsets.UTF_8)), 1, Integer::sum);
      }
      redis.sync().del(list);
      long lost = writer.acknowledged.stream().filter(id -> !stored.containsKey(id)).count();
      long duplicated = stored.values().stream().filter(n -> n > 1).count();
      return new Round(
          (writer.recoveredAt - faultAt) / 1_000_000,
          writer.acknowledged.size(),
          lost,
          duplicated,
          old.id(),
          now.id());
    }
  }

  /**
   * Waits until every replica's link to its master is up: a replica still in its first sync (just
   * after {@code strata up}, or after the last round's rejoin) cannot be promoted, and the drill
   * would measure that instead of a failover.
   */
  private void awaitReplicasInSync() {
    boolean synced =
        Wait.until(
            () -> {
              List<Map<String, String>> replicas =
                  stack.status().stream()
                      .filter(s -> s.instance().kind() == Kind.REDIS)
                      .map(ComponentStatus::details)
                      .filter(d -> "replica".equals(d.get("role")))
                      .toList();
              return !replicas.isEmpty()
                  && replicas.stream().allMatch(d -> "up".equals(d.get("link")));
            },
            FAILOVER_LIMIT);
    if (!synced) {
      throw StrataException.failed(
          "the Redis replicas are not in sync with their masters, so none could be promoted",
          "check strata status (each replica's link must be up) and the nodes' logs",
          null);
    }
  }

  /** Restarts a killed node (or resumes a frozen one) and waits until it follows the new master. */
  private void bringBack(Instance old, long pid, Fault fault) {
    if (fault == Fault.STOP) {
      signal(pid, "-CONT");
    } else {
      Wait.until(() -> ProcessHandle.of(pid).isEmpty(), seconds(10));
      progress.accept("restarting " + old.id() + ": it rejoins as a replica");
      stack.start(old.id());
    }
    boolean rejoined =
        Wait.until(
            () ->
                stack.status().stream()
                    .filter(s -> s.instance().id().equals(old.id()))
                    .anyMatch(
                        s ->
                            "replica".equals(s.details().get("role"))
                                && "up".equals(s.details().get("link"))),
            FAILOVER_LIMIT);
    if (!rejoined) {
      throw StrataException.failed(
          old.id() + " did not rejoin as a replica within " + FAILOVER_LIMIT.toSeconds() + " s",
          "read its log (strata logs " + old.id() + ") and the Sentinels'",
          null);
    }
  }

  private Instance currentMaster(StrataRedis redis, String key) {
    return redis.isCluster() ? owner(redis, key) : master();
  }

  /** The cluster master that holds {@code key}'s slot, as the client's topology says. */
  private Instance owner(StrataRedis redis, String key) {
    RedisClusterNode node =
        redis
            .clusterConnection()
            .orElseThrow()
            .getPartitions()
            .getPartitionBySlot(SlotHash.getSlot(key));
    String address = node.getUri().getHost() + ":" + node.getUri().getPort();
    return Sentinels.node(stack.context(), address)
        .orElseThrow(
            () ->
                StrataException.environment(
                    "the cluster node "
                        + address
                        + " that holds the drill's slot is not one of"
                        + " this stack's",
                    "check strata status"));
  }

  private Instance master() {
    Optional<String> address = Sentinels.master(stack.context());
    return address
        .flatMap(a -> Sentinels.node(stack.context(), a))
        .orElseThrow(
            () ->
                StrataException.environment(
                    "no Sentinel names a master of this stack",
                    "check strata status: the Sentinels must run (strata up)"));
  }

  private static void signal(long pid, String signal) {
    Exec.Result r = Exec.of("kill", signal, Long.toString(pid)).run();
    if (!r.ok()) {
      throw StrataException.failed(
          "cannot signal the master (pid " + pid + "): " + r.describeFailure(),
          "run the drill as the user the servers run as, or as root",
          null);
    }
  }

  private static Duration seconds(long n) {
    return Duration.ofSeconds(n);
  }

  /**
   * Appends ids 1, 2, 3... to a list; a failed append is retried with the same id until it is
   * acknowledged, as an application retries, so a write that landed but whose reply was lost shows
   * up as a duplicate.
   */
  private static final class Writer implements Runnable {
    private final StrataRedis redis;
    private final String list;
    final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    volatile boolean stop;
    volatile long faultAt;
    volatile long recoveredAt;
    volatile int afterRecovery;
    private boolean failedSinceFault;

    Writer(StrataRedis redis, String list) {
      this.redis = redis;
      this.list = list;
    }

    @Override
    public void run() {
      long id = 1;
      while (!stop) {
        try {
          redis.sync().rpush(list, Long.toString(id).getBytes(StandardCharsets.UTF_8));
          acknowledged.add(id);
          id++;
          if (failedSinceFault && recoveredAt == 0) {
            afterRecovery = acknowledged.size();
            recoveredAt = System.nanoTime();
          }
        } catch (RuntimeException e) {
          if (faultAt != 0) {
            failedSinceFault = true;
          }
          pause();
        }
      }
    }

    private static void pause() {
      try {
        Thread.sleep(10); // a client's retry back-off, not a wait for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
