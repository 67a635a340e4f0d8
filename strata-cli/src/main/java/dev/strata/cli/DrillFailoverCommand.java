package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.ops.ha.FailoverDrill;
import dev.strata.ops.stack.Stack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "failover",
    description = {
      "Fails the PostgreSQL leader (or the Redis master) while writers go through DATABASE_URL",
      "(or REDIS_URL) and record every acknowledged write; measures the time until writes",
      "succeed again (RTO) and counts the acknowledged writes lost or duplicated. JSON per round:",
      "rto_ms, acknowledged, lost, duplicated, old_leader, new_leader. Exits 1 when a",
      "synchronous cluster lost a write."
    })
final class DrillFailoverCommand implements Callable<Integer> {
  @ParentCommand DrillCommand drill;

  @Option(
      names = "--target",
      defaultValue = "postgres",
      paramLabel = "postgres|redis",
      description = "postgres (default), or redis (a Sentinel or Cluster stack).")
  String target;

  @Option(names = "--kill", description = "SIGKILL the leader's postmaster (the default).")
  boolean kill;

  @Option(names = "--stop", description = "SIGSTOP it (freeze), SIGCONT once writes resume.")
  boolean stop;

  @Option(
      names = "--switchover",
      description = "A planned switchover instead: rto_ms is the longest write pause.")
  boolean switchover;

  @Option(names = "--rounds", defaultValue = "1", description = "Rounds (default 1).")
  int rounds;

  @Option(names = "--json", description = "Print the rounds as JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (!target.equals("postgres") && !target.equals("redis")) {
      throw StrataException.badInput(
          "unknown drill target '" + target + "'", "use --target postgres or --target redis");
    }
    if ((kill ? 1 : 0) + (stop ? 1 : 0) + (switchover ? 1 : 0) > 1) {
      throw StrataException.badInput(
          "--kill, --stop and --switchover exclude each other", "pick one");
    }
    if (rounds < 1 || rounds > 50) {
      throw StrataException.badInput("--rounds must be 1 to 50", "e.g. --rounds 5");
    }
    StrataCommand root = drill.root;
    if (target.equals("redis")) {
      if (switchover) {
        throw StrataException.badInput(
            "--switchover is a PostgreSQL drill", "use --kill or --stop with --target redis");
      }
      return RedisDrillOutput.run(root, stop, rounds, json);
    }
    Stack stack = root.workspace().stack(line -> root.err().println(line));
    FailoverDrill.Mode mode =
        stop
            ? FailoverDrill.Mode.STOP
            : switchover ? FailoverDrill.Mode.SWITCHOVER : FailoverDrill.Mode.KILL;
    List<FailoverDrill.Round> done =
        new FailoverDrill(
                stack.context(),
                stack.env(),
                line -> {
                  root.err().println(line);
                  root.err().flush();
                })
            .run(mode, rounds);
    long lost = done.stream().mapToLong(FailoverDrill.Round::lost).sum();
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("target", target);
      out.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
      out.put("synchronous", stack.spec().postgres().synchronous());
      List<Object> list = new ArrayList<>();
      done.forEach(r -> list.add(r.toMap()));
      out.put("rounds", list);
      root.out().println(BackupCommand.json(out));
    } else {
      long[] rto = done.stream().mapToLong(FailoverDrill.Round::rtoMillis).sorted().toArray();
      root.out()
          .println(
              "postgres failover drill: "
                  + rounds
                  + " round(s), RTO median "
                  + rto[rto.length / 2]
                  + " ms, worst "
                  + rto[rto.length - 1]
                  + " ms, "
                  + lost
                  + " acknowledged write(s) lost, "
                  + done.stream().mapToLong(FailoverDrill.Round::duplicated).sum()
                  + " duplicated");
    }
    root.out().flush();
    return lost > 0 && stack.spec().postgres().synchronous() ? 1 : 0;
  }
}
