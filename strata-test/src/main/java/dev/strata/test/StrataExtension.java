package dev.strata.test;

import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one stack per test class annotated {@link StrataTest}, before its first test, and destroys
 * it after its last; or, for a class annotated {@link StrataSharedTest}, hands it the JVM's shared
 * stack with its databases reset. A stack lives in a fresh temporary folder, on free ports, with
 * PostgreSQL sized for a test (256 MB unless {@code postgres.memory} says otherwise) and without
 * fsync. No stack outlives its JVM, even a killed one (see {@link Reaper}).
 */
public final class StrataExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(StrataExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    StrataSharedTest shared = testClass.getAnnotation(StrataSharedTest.class);
    if (shared == null) {
      stack(context);
      return;
    }
    Shared s = shared(context, shared.yaml());
    if (!s.turn.tryAcquire()) {
      throw new IllegalStateException(
          testClass.getName()
              + " shares a Strata stack with a class that is still running: JUnit did not honour"
              + " @ResourceLock(\""
              + StrataSharedTest.LOCK
              + "\"); run the shared classes in one thread, or give this class @StrataTest");
    }
    if (s.used) {
      s.stack.resetDatabases();
    }
    s.used = true;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    StrataSharedTest shared = context.getRequiredTestClass().getAnnotation(StrataSharedTest.class);
    if (shared != null) {
      shared(context, shared.yaml()).turn.release();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == StrataStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    StrataSharedTest shared = context.getRequiredTestClass().getAnnotation(StrataSharedTest.class);
    return shared == null ? stack(context) : shared(context, shared.yaml()).stack;
  }

  private static StrataStack stack(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext.Store store = classContext(context).getStore(NAMESPACE);
    return store
        .getOrComputeIfAbsent(testClass, c -> new Running(start(testClass)), Running.class)
        .stack();
  }

  /** The JVM's shared stack for {@code yaml}, kept in the root store: closed when the run ends. */
  private static Shared shared(ExtensionContext context, String yaml) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "shared:" + yaml,
            k -> {
              StrataStack stack = StrataStack.start("shared", yaml);
              stack.snapshotDatabases();
              return new Shared(stack);
            },
            Shared.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent()) {
      c = c.getParent().orElseThrow();
    }
    return c;
  }

  private static StrataStack start(Class<?> testClass) {
    StrataTest annotation = testClass.getAnnotation(StrataTest.class);
    return StrataStack.start(
        testClass.getSimpleName(), annotation == null ? "" : annotation.yaml());
  }

  /** Destroys the stack when JUnit closes the class's store. */
  private record Running(StrataStack stack) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      stack.close();
    }
  }

  /** A shared stack, whose classes take turns; destroyed when JUnit closes the root store. */
  private static final class Shared implements ExtensionContext.Store.CloseableResource {
    final StrataStack stack;
    final Semaphore turn = new Semaphore(1);
    volatile boolean used;

    Shared(StrataStack stack) {
      this.stack = stack;
    }

    @Override
    public void close() {
      stack.close();
    }
  }
}
