package dev.strata.test;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one stack per test class annotated {@link StrataTest}, before its first test, and destroys
 * it after its last. The stack lives in a fresh temporary folder, on free ports, with PostgreSQL
 * sized for a test (256 MB unless {@code postgres.memory} says otherwise).
 */
public final class StrataExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(StrataExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == StrataStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }

  private static StrataStack stack(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext.Store store = classContext(context).getStore(NAMESPACE);
    return store
        .getOrComputeIfAbsent(testClass, c -> new Running(start(testClass)), Running.class)
        .stack();
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
}
