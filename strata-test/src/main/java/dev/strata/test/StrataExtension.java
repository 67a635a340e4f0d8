package dev.strata.test;

import dev.strata.core.spec.SpecLoader;
import dev.strata.ops.stack.Stack;
import dev.strata.ops.stack.StackFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
    String yaml = annotation == null ? "" : annotation.yaml();
    // Reports a mistake in the annotation's text with its own line numbers.
    SpecLoader.parse(yaml, "@StrataTest(yaml) of " + testClass.getSimpleName(), System::getenv);
    Path home = temporaryHome(testClass, ThrowawaySpec.rewrite(yaml));
    try {
      Stack stack =
          new Stack(home, SpecLoader.load(home.resolve("strata.yaml"), System::getenv), line -> {});
      stack.up();
      return new StrataStack(stack);
    } catch (RuntimeException e) {
      StackFiles.deleteTree(home);
      throw e;
    }
  }

  /** A fresh folder the servers' OS user can reach: a JDK temp folder is created 0700. */
  private static Path temporaryHome(Class<?> testClass, String yaml) {
    try {
      Path home = Files.createTempDirectory("strata-" + testClass.getSimpleName() + "-");
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(home.resolve("strata.yaml"), yaml, StandardCharsets.UTF_8);
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder for the test stack", e);
    }
  }

  /** Destroys the stack when JUnit closes the class's store. */
  private record Running(StrataStack stack) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      stack.stack().destroy();
      StackFiles.deleteTree(stack.home());
    }
  }
}
