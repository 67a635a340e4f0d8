package dev.strata.ops.agent;

import dev.strata.core.env.StateDir;
import dev.strata.ops.stack.Stack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches every server of the stack: every {@code agent.check_interval} it reads each instance's
 * pid file (no query), and one whose process is gone — killed, crashed, OOM-killed — is started
 * again through the component model ({@link Stack#start(String)}: its files rendered, its
 * dependencies checked, its health awaited), dependencies first. A restart that fails is retried
 * after a backoff that doubles from 1 s up to {@code agent.restart_backoff_max}. Each restart and
 * its reason is logged, counted in {@code /metrics} and written to {@code
 * .strata/agent/supervision.properties}, which {@code strata status} shows.
 */
final class Supervisor {
  private final Stack stack;
  private final Backoff backoff;
  private final AgentMetrics metrics;
  private final AgentLog log;
  private final Map<String, InstanceHealth> health = new ConcurrentHashMap<>();
  private final Map<String, Instant> nextAttempt = new ConcurrentHashMap<>();
  private final List<String> order = new ArrayList<>();
  private final Map<String, Integer> crashLoop = new ConcurrentHashMap<>();

  /** A crash this soon after a restart counts as a crash loop. */
  private static final Duration CRASH_LOOP = Duration.ofSeconds(60);

  Supervisor(Stack stack, Duration backoffMax, AgentMetrics metrics, AgentLog log) {
    this.stack = stack;
    this.backoff = new Backoff(Duration.ofSeconds(1), backoffMax);
    this.metrics = metrics;
    this.log = log;
    stack
        .processes()
        .forEach(
            (id, p) -> {
              order.add(id);
              health.put(id, InstanceHealth.initial(id, p.map(ProcessHandle::pid)));
              metrics.watch(id, () -> health.get(id).up());
            });
    Supervision.write(stack.stateDir(), snapshot());
  }

  /** One round: every instance checked, the dead ones restarted (dependencies first). */
  void check() {
    Map<String, Optional<ProcessHandle>> processes = stack.processes();
    for (String id : order) {
      Optional<ProcessHandle> p = processes.getOrDefault(id, Optional.empty());
      InstanceHealth h = health.get(id);
      if (p.isPresent()) {
        if (!h.up() || !h.pid().equals(Optional.of(p.get().pid()))) {
          health.put(id, withPid(h, true, Optional.of(p.get().pid())));
        }
        continue;
      }
      if (h.up()) {
        String reason =
            h.pid().map(pid -> "process " + pid + " exited").orElse("process not running");
        h = withReason(withPid(h, false, h.pid()), reason);
        health.put(id, h);
        crashed(id, h, reason);
      }
      Instant now = Instant.now();
      if (now.isBefore(nextAttempt.getOrDefault(id, Instant.MIN))) {
        continue;
      }
      restart(id, h, now);
    }
  }

  /**
   * Logs a crash; one that comes soon after the agent's last restart of it is a crash loop, and the
   * next restart waits as after a failed attempt (1 s, 2 s, 4 s…), so a server that cannot stay up
   * is not restarted in a tight loop.
   */
  private void crashed(String id, InstanceHealth h, String reason) {
    boolean soon =
        h.lastRestart().map(t -> t.isAfter(Instant.now().minus(CRASH_LOOP))).orElse(false);
    if (!soon) {
      crashLoop.remove(id);
      log.warn(id + ": " + reason + "; restarting it");
      return;
    }
    int n = crashLoop.merge(id, 1, Integer::sum);
    Duration wait = backoff.after(n);
    nextAttempt.put(id, Instant.now().plus(wait));
    log.warn(
        id
            + ": "
            + reason
            + " again, "
            + Duration.between(h.lastRestart().get(), Instant.now()).toSeconds()
            + " s after its restart; restarting it in "
            + wait.toMillis()
            + " ms");
  }

  private void restart(String id, InstanceHealth h, Instant now) {
    long start = System.nanoTime();
    try {
      stack.start(id);
      long ms = (System.nanoTime() - start) / 1_000_000;
      Optional<Long> pid =
          stack.processes().getOrDefault(id, Optional.empty()).map(ProcessHandle::pid);
      String reason = h.lastReason().orElse("process not running");
      InstanceHealth after =
          new InstanceHealth(
              id,
              pid.isPresent(),
              pid,
              h.restarts() + 1,
              Optional.of(now),
              Optional.of(reason),
              0,
              h.lastError());
      health.put(id, after);
      nextAttempt.remove(id);
      metrics.restarted(id);
      log.info(
          id
              + ": restarted in "
              + ms
              + " ms ("
              + reason
              + "), pid "
              + pid.map(String::valueOf).orElse("?")
              + ", restart "
              + after.restarts());
    } catch (RuntimeException e) {
      int failures = h.failures() + 1;
      Duration wait = backoff.after(failures);
      nextAttempt.put(id, Instant.now().plus(wait));
      health.put(
          id,
          new InstanceHealth(
              id,
              false,
              h.pid(),
              h.restarts(),
              h.lastRestart(),
              h.lastReason(),
              failures,
              Optional.of(String.valueOf(e.getMessage()))));
      metrics.restartFailed(id);
      log.warn(
          id
              + ": restart attempt "
              + failures
              + " failed: "
              + e.getMessage()
              + "; next attempt in "
              + wait.toMillis()
              + " ms");
    }
    Supervision.write(stack.stateDir(), snapshot());
  }

  private static InstanceHealth withPid(InstanceHealth h, boolean up, Optional<Long> pid) {
    return new InstanceHealth(
        h.id(),
        up,
        pid,
        h.restarts(),
        h.lastRestart(),
        h.lastReason(),
        up ? 0 : h.failures(),
        h.lastError());
  }

  private static InstanceHealth withReason(InstanceHealth h, String reason) {
    return new InstanceHealth(
        h.id(),
        h.up(),
        h.pid(),
        h.restarts(),
        h.lastRestart(),
        Optional.of(reason),
        h.failures(),
        h.lastError());
  }

  /** Every instance, in the topology's order. */
  List<InstanceHealth> snapshot() {
    return order.stream().map(health::get).toList();
  }

  StateDir stateDir() {
    return stack.stateDir();
  }
}
