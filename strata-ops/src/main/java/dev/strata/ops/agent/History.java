package dev.strata.ops.agent;

import dev.strata.jdbc.pool.PoolFigures;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's own sampled figures for the dashboard's {@link Chart}s when no Prometheus runs: every
 * {@code agent.sample_interval} one read of pg_stat_database and pg_stat_replication, {@code SHOW
 * POOLS} and Redis's INFO, kept in memory for {@link #KEEP}. Rates and ratios are computed between
 * two samples, as Prometheus's {@code rate()} would.
 */
final class History {
  static final Duration KEEP = Duration.ofHours(6);

  private final MonitorConnections connections;
  private final AgentLog log;
  private final Map<String, Deque<double[]>> series = new LinkedHashMap<>();
  private Optional<Raw> previous = Optional.empty();
  private String lastProblem = "";

  History(MonitorConnections connections, AgentLog log) {
    this.connections = connections;
    this.log = log;
    Chart.ALL.forEach(c -> series.put(c.id(), new ArrayDeque<>()));
  }

  /** Counters and gauges of one sample; NaN where a server did not answer. */
  private record Raw(
      long at,
      double backends,
      double xacts,
      double hits,
      double reads,
      double lag,
      double redisMemory,
      double redisHits,
      double redisMisses,
      double waiting) {}

  /** Takes one sample; a server that does not answer leaves a gap, never an error. */
  void sample() {
    long now = Instant.now().getEpochSecond();
    double[] pg = postgres();
    double[] redis = redis();
    Raw raw =
        new Raw(now, pg[0], pg[1], pg[2], pg[3], pg[4], redis[0], redis[1], redis[2], waiting());
    synchronized (series) {
      add("connections", now, raw.backends());
      add("replication_lag", now, raw.lag());
      add("redis_memory", now, raw.redisMemory());
      add("pool_waiting", now, raw.waiting());
      previous.ifPresent(
          p -> {
            double dt = Math.max(1, raw.at() - p.at());
            add("tps", now, (raw.xacts() - p.xacts()) / dt);
            add("cache_hit_ratio", now, ratio(raw.hits() - p.hits(), raw.reads() - p.reads()));
            add(
                "redis_hit_ratio",
                now,
                ratio(raw.redisHits() - p.redisHits(), raw.redisMisses() - p.redisMisses()));
          });
      previous = Optional.of(raw);
    }
  }

  private static double ratio(double hits, double misses) {
    return hits + misses <= 0 ? 1.0 : hits / (hits + misses);
  }

  private void add(String id, long at, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return;
    }
    Deque<double[]> points = series.get(id);
    points.addLast(new double[] {at, value});
    while (!points.isEmpty() && points.peekFirst()[0] < at - KEEP.toSeconds()) {
      points.removeFirst();
    }
  }

  private double[] postgres() {
    try {
      Connection c = connections.postgres();
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT sum(numbackends), sum(xact_commit + xact_rollback), sum(blks_hit),"
                      + " sum(blks_read),"
                      + " (SELECT coalesce(max(extract(epoch FROM replay_lag)), 0)"
                      + " FROM pg_stat_replication)"
                      + " FROM pg_stat_database")) {
        rs.next();
        return new double[] {
          rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5)
        };
      }
    } catch (SQLException | RuntimeException e) {
      problem("PostgreSQL: " + e.getMessage());
      connections.close();
      return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    }
  }

  private double[] redis() {
    try {
      RedisCli cli = connections.redis();
      Map<String, String> info = cli.info("default");
      return new double[] {
        Double.parseDouble(info.getOrDefault("used_memory", "NaN")),
        Double.parseDouble(info.getOrDefault("keyspace_hits", "NaN")),
        Double.parseDouble(info.getOrDefault("keyspace_misses", "NaN"))
      };
    } catch (RuntimeException e) {
      problem("Redis: " + e.getMessage());
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
  }

  private double waiting() {
    try (Connection admin = connections.pooler()) {
      return PoolFigures.pools(admin).stream().mapToInt(PoolFigures.Pool::clientsWaiting).sum();
    } catch (SQLException | RuntimeException e) {
      problem("PgBouncer: " + e.getMessage());
      return Double.NaN;
    }
  }

  /** Logs a sampling problem once, not at every sample. */
  private void problem(String what) {
    if (!what.equals(lastProblem)) {
      log.warn("sampling: " + what);
      lastProblem = what;
    }
  }

  /** Each chart's points newer than {@code since} (epoch seconds), as [seconds, value] pairs. */
  Map<String, List<double[]>> since(long since) {
    Map<String, List<double[]>> out = new LinkedHashMap<>();
    synchronized (series) {
      series.forEach(
          (id, points) -> {
            List<double[]> kept = new ArrayList<>();
            points.forEach(
                p -> {
                  if (p[0] >= since) {
                    kept.add(p);
                  }
                });
            out.put(id, kept);
          });
    }
    return out;
  }
}
