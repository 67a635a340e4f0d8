package dev.strata.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Gives the annotated test class the JVM's shared Strata stack for its {@link #yaml()}: started by
 * the first such class, stopped and deleted when the test run ends. Before each class its databases
 * are put back as they were right after {@code up} ({@code CREATE DATABASE ... TEMPLATE} of a
 * pristine copy), so no class sees another's rows.
 *
 * <p>Classes sharing a stack take turns ({@link ResourceLock} {@value #LOCK}): under JUnit's
 * parallel execution they run one after another while {@link StrataTest} classes, each with a stack
 * of its own, run beside them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(StrataExtension.class)
@ResourceLock(StrataSharedTest.LOCK)
public @interface StrataSharedTest {
  /** The JUnit resource the classes sharing a stack take turns on. */
  String LOCK = "dev.strata.test.shared-stack";

  /** strata.yaml text of the shared stack; classes with the same text share one stack. */
  String yaml() default "";
}
