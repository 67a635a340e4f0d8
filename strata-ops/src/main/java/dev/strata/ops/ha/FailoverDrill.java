package dev.strata.ops.ha;

import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnv;
import dev.strata.core.topology.Instance;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.PostgresServer;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.Wait;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code strata drill failover --target postgres}: writers insert ids through {@code DATABASE_URL}
 * (PgBouncer) and remember every insert PostgreSQL acknowledged; the leader's postmaster is killed
 * (SIGKILL) or frozen (SIGSTOP); the drill measures the time until writes are acknowledged again
 * (the RTO through the application's own URL), then reads the table on the new leader and counts
 * the acknowledged ids that are missing (lost) or present twice (duplicated).
 */
public final class FailoverDrill {
  private static final int WRITERS = 4;
  private static final String TABLE = "strata_failover_drill";

  private final ComponentContext context;
  private final StackEnv env;
  private final Failovers failovers;
  private final Consumer<String> progress;

  /** Ids are unique across the rounds of a run: the table is shared, a repeat would count twice. */
  private final AtomicLong nextId = new AtomicLong(1);

  /**
   * @param env the stack's env for its first database (the writers' {@code DATABASE_URL})
   */
  public FailoverDrill(ComponentContext context, StackEnv env, Consumer<String> progress) {
    this.context = context;
    this.env = env;
    this.failovers = new Failovers(context);
    this.progress = progress;
  }

  /** How the leader is failed: SIGKILL of its postmaster, or SIGSTOP (SIGCONT after). */
  public enum Mode {
    KILL,
    STOP,
    /** A planned switchover: the RTO is the longest pause between two acknowledged writes. */
    SWITCHOVER
  }

  /** One round's figures. */
  public record Round(
      long rtoMillis,
      long acknowledged,
      long lost,
      long duplicated,
      String oldLeader,
      String newLeader) {
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rto_ms", rtoMillis);
      m.put("acknowledged", acknowledged);
      m.put("lost", lost);
      m.put("duplicated", duplicated);
      m.put("old_leader", oldLeader);
      m.put("new_leader", newLeader);
      return m;
    }
  }

  /** Runs {@code rounds} rounds, each after the cluster has all its nodes back. */
  public List<Round> run(Mode mode, int rounds) {
    prepareTable();
    List<Round> done = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      awaitAllRunning();
      Round round = round(mode);
      progress.accept(
          "round "
              + r
              + ": "
              + round.oldLeader()
              + " -> "
              + round.newLeader()
              + ", RTO "
              + round.rtoMillis()
              + " ms, acknowledged "
              + round.acknowledged()
              + ", lost "
              + round.lost()
              + ", duplicated "
              + round.duplicated());
      done.add(round);
    }
    awaitAllRunning();
    return done;
  }

  private Round round(Mode mode) {
    Instance old =
        failovers
            .leader()
            .orElseThrow(
                () ->
                    StrataException.environment(
                        "the cluster has no leader to fail", "see strata status"));
    Path pidFile = PostgresServer.dataDir(context.folder(old)).resolve("postmaster.pid");
    ProcessHandle postmaster =
        new PidFile(pidFile, "postgres")
            .process()
            .orElseThrow(
                () ->
                    StrataException.environment(
                        "the leader " + old.id() + " has no running postmaster",
                        "see strata status"));
    Writers writers = new Writers();
    writers.start();
    try {
      if (!Wait.until(() -> writers.acked.get() >= 50, Duration.ofSeconds(30))) {
        throw StrataException.failed(
            "the writers could not write through DATABASE_URL before the failure: "
                + writers.lastError,
            "check strata status and strata logs pooler",
            null);
      }
      long killedAt = System.nanoTime();
      writers.failureFrom.set(killedAt);
      // A frozen postmaster alone still lets its backends serve the connections they have: a
      // freeze stops the whole server (postmaster, backends, WAL senders), as a hung machine would.
      List<Long> frozen = new ArrayList<>();
      if (mode == Mode.SWITCHOVER) {
        failovers.switchover(java.util.Optional.empty());
        // Writes settle on the new leader: the pause is measured over the whole change.
        long settled = System.nanoTime();
        Wait.until(
            () -> writers.lastAck.get() > settled && System.nanoTime() - settled > 2_000_000_000L,
            Duration.ofSeconds(30));
        writers.stop();
        long pause = Duration.ofNanos(writers.maxGap.get()).toMillis();
        String to = failovers.leader().map(Instance::id).orElse("none");
        Map<Long, Integer> present = readIds();
        long lost = writers.acknowledged.stream().filter(id -> !present.containsKey(id)).count();
        long duplicated = present.values().stream().filter(n -> n > 1).count();
        return new Round(pause, writers.acknowledged.size(), lost, duplicated, old.id(), to);
      } else if (mode == Mode.STOP) {
        frozen.add(postmaster.pid());
        postmaster.descendants().forEach(p -> frozen.add(p.pid()));
        frozen.forEach(pid -> signal(pid, "-STOP"));
      } else {
        signal(postmaster.pid(), "-KILL");
      }
      boolean recovered =
          Wait.until(
              () ->
                  writers.recoveredAt.get() != 0
                      && System.nanoTime() - writers.recoveredAt.get() > 1_000_000_000L,
              Duration.ofSeconds(90));
      frozen.forEach(pid -> signal(pid, "-CONT"));
      if (!recovered) {
        throw StrataException.failed(
            "writes through DATABASE_URL did not succeed again within 90 s of failing "
                + old.id()
                + ": "
                + writers.lastError,
            "see strata status and strata logs " + old.id(),
            null);
      }
      writers.stop();
      long rto = Duration.ofNanos(writers.recoveredAt.get() - killedAt).toMillis();
      String newLeader = failovers.leader().map(Instance::id).orElse("none");
      Map<Long, Integer> present = readIds();
      long lost = writers.acknowledged.stream().filter(id -> !present.containsKey(id)).count();
      long duplicated = present.values().stream().filter(n -> n > 1).count();
      return new Round(rto, writers.acknowledged.size(), lost, duplicated, old.id(), newLeader);
    } finally {
      writers.stop();
    }
  }

  private static void signal(long pid, String signal) {
    Exec.of("kill", signal, Long.toString(pid)).run();
  }

  /**
   * Every node back in the cluster and streaming, and in synchronous mode a synchronous standby
   * named: rounds start from a whole cluster. Right after {@code up} Patroni has not named one yet,
   * and a leader that crashes then has no standby it may fail over to: it restarts in place.
   */
  private void awaitAllRunning() {
    int nodes = context.spec().postgres().nodes();
    boolean synchronous = context.spec().postgres().synchronous();
    boolean whole =
        Wait.until(
            () ->
                failovers
                    .leader()
                    .flatMap(l -> PoolerTargets.rest(context, l).cluster())
                    .map(
                        c -> {
                          int running = 0;
                          boolean syncStandby = false;
                          for (var m : c.path("members")) {
                            String state = m.path("state").asText();
                            if (state.equals("running") || state.equals("streaming")) {
                              running++;
                            }
                            syncStandby |= m.path("role").asText().equals("sync_standby");
                          }
                          return running == nodes && (syncStandby || !synchronous);
                        })
                    .orElse(false),
            Duration.ofSeconds(180));
    if (!whole) {
      throw StrataException.failed(
          "not every PostgreSQL node is running again, or no synchronous standby is named, within"
              + " 180 s (a failed leader did not rejoin)",
          "see strata status and the node's log (strata logs postgres-N)",
          null);
    }
  }

  /** The drill's table, made afresh by the owner: no unique key, so a duplicate would show. */
  private void prepareTable() {
    try (Connection c = connect(env.direct(), true);
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + TABLE);
      s.execute("CREATE TABLE " + TABLE + " (id bigint NOT NULL, at timestamptz DEFAULT now())");
      s.execute("CREATE INDEX ON " + TABLE + " (id)");
    } catch (SQLException e) {
      throw StrataException.failed(
          "cannot create the drill's table " + TABLE + ": " + e.getMessage(),
          "check strata status",
          e);
    }
  }

  private Map<Long, Integer> readIds() {
    Map<Long, Integer> ids = new java.util.HashMap<>();
    SQLException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try (Connection c = connect(env.direct(), true);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT id FROM " + TABLE)) {
        while (rs.next()) {
          ids.merge(rs.getLong(1), 1, Integer::sum);
        }
        return ids;
      } catch (SQLException e) {
        last = e;
        ids.clear();
        Wait.until(() -> false, Duration.ofMillis(500));
      }
    }
    throw StrataException.failed(
        "cannot read the drill's table on the new leader: " + last.getMessage(),
        "see strata status",
        last);
  }

  /**
   * A connection: through PgBouncer, or (direct) to whichever node is the leader now, as pgjdbc's
   * multi-host URL with {@code targetServerType=primary}.
   */
  private Connection connect(PgEndpoint endpoint, boolean direct) throws SQLException {
    String url = endpoint.jdbcUrl();
    if (direct) {
      String hosts =
          String.join(
              ",",
              context.topology().of(dev.strata.core.topology.Kind.POSTGRES).stream()
                  .map(Instance::endpoint)
                  .toList());
      url = url.replaceFirst("//[^/]+/", "//" + hosts + "/");
      url += (url.contains("?") ? "&" : "?") + "targetServerType=primary";
    }
    // A write that hangs on a frozen server counts as failed after 5 s, and the writer reconnects.
    url += (url.contains("?") ? "&" : "?") + "connectTimeout=3&socketTimeout=" + (direct ? 30 : 5);
    Properties props = endpoint.jdbcProperties();
    return DriverManager.getConnection(url, props);
  }

  /** The writer threads and what they saw. */
  private final class Writers {
    final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failureFrom = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong lastFailure = new AtomicLong();
    final AtomicLong recoveredAt = new AtomicLong();
    final AtomicLong lastAck = new AtomicLong();
    final AtomicLong maxGap = new AtomicLong();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();
    volatile String lastError = "none";

    void start() {
      for (int i = 0; i < WRITERS; i++) {
        Thread t = new Thread(this::write, "drill-writer-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    void stop() {
      running.set(false);
      for (Thread t : threads) {
        try {
          t.join(20_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void write() {
      Connection c = null;
      while (running.get()) {
        long id = nextId.getAndIncrement();
        long started = System.nanoTime();
        try {
          if (c == null) {
            c = connect(env.pooled(), false);
          }
          try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO " + TABLE + " (id) VALUES (?)")) {
            ps.setLong(1, id);
            ps.executeUpdate();
          }
          acknowledged.add(id);
          acked.incrementAndGet();
          long now = System.nanoTime();
          long previous = lastAck.getAndAccumulate(now, Math::max);
          if (previous != 0 && now > failureFrom.get()) {
            maxGap.accumulateAndGet(now - previous, Math::max);
          }
          // Recovered: the first acknowledgement of a write begun after the last failure that
          // followed the kill (or, with no failure at all, the first after the kill).
          if (started > failureFrom.get()
              && started >= lastFailure.get()
              && recoveredAt.get() == 0) {
            recoveredAt.compareAndSet(0, now);
          }
        } catch (SQLException e) {
          lastError = e.getMessage();
          long now = System.nanoTime();
          if (now > failureFrom.get()) {
            lastFailure.set(now);
            recoveredAt.set(0);
          }
          close(c);
          c = null;
          Wait.until(() -> false, Duration.ofMillis(50));
        }
      }
      close(c);
    }

    private void close(Connection c) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          // the connection is gone already
        }
      }
    }
  }
}
