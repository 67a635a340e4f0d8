package dev.strata.cli;

import dev.strata.ops.drill.RedisFailoverDrill;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs the Redis failover drill for {@code strata drill failover --target redis}. */
final class RedisDrillOutput {
  private RedisDrillOutput() {}

  static int run(StrataCommand root, boolean stop, int rounds, boolean json) {
    RedisFailoverDrill drill =
        new RedisFailoverDrill(
            root.workspace().stack(line -> root.err().println(line)),
            line -> {
              root.err().println(line);
              root.err().flush();
            });
    List<RedisFailoverDrill.Round> result =
        drill.run(stop ? RedisFailoverDrill.Fault.STOP : RedisFailoverDrill.Fault.KILL, rounds);
    PrintWriter out = root.out();
    long lost = result.stream().mapToLong(RedisFailoverDrill.Round::lost).sum();
    long[] rto = result.stream().mapToLong(RedisFailoverDrill.Round::rtoMillis).sorted().toArray();
    long median = rto[rto.length / 2];
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", "redis");
      m.put("fault", stop ? "stop" : "kill");
      m.put("rounds", result.stream().map(RedisFailoverDrill.Round::toMap).toList());
      m.put("rto_ms_median", median);
      m.put("lost_total", lost);
      out.println(BackupCommand.json(m));
    } else {
      out.println(
          "redis failover drill: "
              + rounds
              + " round(s), RTO median "
              + median
              + " ms, worst "
              + rto[rto.length - 1]
              + " ms, "
              + lost
              + " acknowledged write(s) lost");
    }
    out.flush();
    return 0;
  }
}
