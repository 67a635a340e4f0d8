import dev.strata.test.StrataStack;
import java.sql.Connection;

/**
 * One JVM of bench/testkit/ab.sh: starts N strata-test stacks one after another (plus a first,
 * uncounted), each ready when a query through PgBouncer answers, and prints their times in ms.
 */
public class StackAB {
  public static void main(String[] args) throws Exception {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i <= Integer.parseInt(args[0]); i++) {
      long t0 = System.nanoTime();
      StrataStack stack = StrataStack.start("ab", "");
      try (Connection c = stack.connect(stack.env().pooled())) {
        c.createStatement().execute("SELECT 1");
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      stack.close();
      if (i > 0) {
        out.append(ms).append(' ');
      }
    }
    System.out.println(out.toString().trim());
  }
}
