package dev.strata.ops.stack;

import dev.strata.core.StrataException;
import dev.strata.ops.component.Component;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs the lifecycle of a plan's components: every component's first-run work and the stack's TLS
 * material and verifiers at once, then each start as soon as its dependencies are healthy; on a
 * failure, every component whose start was attempted and that was not running before is stopped
 * again, dependents first.
 */
final class StackExecutor {
  private final StackPlan plan;
  private final Consumer<String> progress;

  StackExecutor(StackPlan plan, Consumer<String> progress) {
    this.plan = plan;
    this.progress = progress;
  }

  /**
   * Starts what is not running, reloads what is.
   *
   * @throws StrataException the first failure, after the roll-back
   */
  void up() {
    List<Component> order = dependencyOrder(plan.components());
    order.forEach(Component::preflight);
    Stack.requirePortsFree(plan.context().spec().security().bind(), order);
    Set<String> runningBefore =
        order.stream().filter(Component::running).map(Component::id).collect(Collectors.toSet());
    List<Component> attempted = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      // Everything that needs no server starts at once: the TLS material, the SCRAM verifiers and
      // each component's first-run work (the cluster copy); the TLS material is made once here,
      // not again per component.
      CompletableFuture<Boolean> certificate =
          CompletableFuture.supplyAsync(new Tls(plan.context())::prepare, pool);
      CompletableFuture<Void> verifiers =
          CompletableFuture.runAsync(() -> plan.bootstrap().verifiers(), pool);
      CompletableFuture<Void> shared = CompletableFuture.allOf(certificate, verifiers);
      Map<String, CompletableFuture<Void>> done = new LinkedHashMap<>();
      for (Component c : order) {
        List<CompletableFuture<Void>> before = new ArrayList<>();
        before.add(shared);
        before.add(CompletableFuture.runAsync(c::prepare, pool));
        c.dependsOn().forEach(id -> before.add(done.get(id)));
        done.put(
            c.id(),
            CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
                .thenRunAsync(
                    () -> {
                      attempted.add(c);
                      announceAndStart(c);
                    },
                    pool));
      }
      List<CompletableFuture<Void>> all = new ArrayList<>(done.values());
      all.add(shared);
      RuntimeException failure = awaitAll(all);
      if (failure == null) {
        failure = afterStart();
      }
      if (failure != null) {
        rollBack(attempted, runningBefore);
        throw failure;
      }
      if (certificate.join()) {
        for (Component c : order) {
          if (runningBefore.contains(c.id())) {
            progress.accept("reloading " + c.id() + ": its TLS certificate was reissued");
            c.reloadTls();
          }
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  /** Runs the plan's after-start steps in order; the first failure, or null. */
  private RuntimeException afterStart() {
    for (AfterStart step : plan.afterStart()) {
      try {
        step.run().accept(progress);
      } catch (RuntimeException e) {
        progress.accept(step.name() + " failed: stopping what this start began");
        return e;
      }
    }
    return null;
  }

  /** Starts one component (its dependencies must run), with the stack's TLS material ready. */
  void start(Component c) {
    new Tls(plan.context()).prepare();
    announceAndStart(c);
  }

  /** Starts one component whose TLS material, verifiers and dependencies are ready. */
  private void announceAndStart(Component c) {
    if (!c.running()) {
      progress.accept("starting " + c.id() + " (" + describe(c) + ") on " + c.endpoint());
    }
    c.start();
  }

  /** Stops {@code components}, each after every component that depends on it. */
  void stop(List<Component> components) {
    Set<String> ids = components.stream().map(Component::id).collect(Collectors.toSet());
    List<Component> order = new ArrayList<>(dependencyOrder(plan.components()));
    Collections.reverse(order);
    for (Component c : order) {
      if (ids.contains(c.id()) && c.running()) {
        progress.accept("stopping " + c.id() + " (" + describe(c) + ")");
        c.stop();
      }
    }
  }

  /** Applies {@code task} to every component at once, in their order. */
  static <T> List<T> inParallel(List<Component> components, Function<Component, T> task) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, components.size()));
    try {
      List<CompletableFuture<T>> rows =
          components.stream()
              .map(c -> CompletableFuture.supplyAsync(() -> task.apply(c), pool))
              .toList();
      return rows.stream().map(CompletableFuture::join).toList();
    } finally {
      pool.shutdown();
    }
  }

  /**
   * The components ordered so that each comes after what it depends on (Kahn's algorithm, stable in
   * the plan's order).
   *
   * @throws IllegalStateException on an unknown dependency or a cycle: a defect in a component
   */
  static List<Component> dependencyOrder(List<Component> components) {
    Map<String, Component> byId = new LinkedHashMap<>();
    components.forEach(c -> byId.put(c.id(), c));
    for (Component c : components) {
      for (String dep : c.dependsOn()) {
        if (!byId.containsKey(dep)) {
          throw new IllegalStateException(
              c.id() + " depends on " + dep + ", which is not in the stack");
        }
      }
    }
    List<Component> order = new ArrayList<>();
    Set<String> placed = new java.util.HashSet<>();
    Deque<Component> waiting = new ArrayDeque<>(components);
    while (!waiting.isEmpty()) {
      int before = waiting.size();
      for (int i = 0; i < before; i++) {
        Component c = waiting.poll();
        if (placed.containsAll(c.dependsOn())) {
          order.add(c);
          placed.add(c.id());
        } else {
          waiting.add(c);
        }
      }
      if (waiting.size() == before) {
        throw new IllegalStateException(
            "the dependencies of "
                + waiting.stream().map(Component::id).toList()
                + " form a cycle");
      }
    }
    return order;
  }

  private static String describe(Component c) {
    return c.instance().kind().displayName() + ", " + c.instance().role();
  }

  /** Waits for every future; the first failure (unwrapped), or null. */
  private static RuntimeException awaitAll(List<CompletableFuture<Void>> futures) {
    RuntimeException first = null;
    for (CompletableFuture<Void> f : futures) {
      try {
        f.join();
      } catch (CompletionException e) {
        RuntimeException cause = unwrap(e);
        if (first == null) {
          first = cause;
        }
      }
    }
    return first;
  }

  private static RuntimeException unwrap(RuntimeException e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof RuntimeException r ? r : new IllegalStateException(t);
  }

  /** Stops, dependents first, what this attempt started; what already ran is left running. */
  private void rollBack(List<Component> attempted, Set<String> runningBefore) {
    List<Component> reverse = new ArrayList<>(attempted);
    Collections.reverse(reverse);
    for (Component c : reverse) {
      if (runningBefore.contains(c.id())) {
        continue;
      }
      try {
        c.stop();
      } catch (RuntimeException e) {
        progress.accept("could not stop " + c.id() + " while rolling back: " + e.getMessage());
      }
    }
  }
}
