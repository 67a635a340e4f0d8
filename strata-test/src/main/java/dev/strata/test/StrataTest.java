package dev.strata.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the annotated test class a real, throwaway Strata stack: PostgreSQL, PgBouncer and Redis in
 * a temporary directory on free ports, started once before the first test of the class and
 * destroyed after the last. Test and lifecycle methods receive it as a {@link StrataStack}
 * parameter.
 *
 * <pre>{@code
 * @StrataTest
 * final class OrdersIT {
 *   @Test
 *   void app_role_reads_orders(StrataStack stack) throws SQLException {
 *     try (Connection c = stack.connect(stack.env().pooled())) { ... }
 *   }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(StrataExtension.class)
public @interface StrataTest {
  /**
   * strata.yaml text for the stack, for example {@code "postgres:\n databases: [shop]"}. Ports are
   * always chosen free. Default: every key at its default.
   */
  String yaml() default "";
}
