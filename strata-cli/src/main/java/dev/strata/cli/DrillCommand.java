package dev.strata.cli;

import dev.strata.ops.backup.Backups;
import dev.strata.ops.backup.Drill;
import dev.strata.ops.backup.DrillResult;
import dev.strata.ops.backup.RestoreTarget;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "drill",
    description = "Proves that the backups restore.",
    subcommands = {DrillCommand.Restore.class, DrillCommand.Failover.class})
final class DrillCommand {
  @ParentCommand StrataCommand root;

  @Command(
      name = "restore",
      description = {
        "Restores the newest backup (to a restore point it creates now, or --to TIME) into a",
        "scratch instance, runs pg_amcheck, compares every table's row count with the source,",
        "checks the heartbeats (recovery stopped exactly at the target), runs backup.checks,",
        "measures the restore time (RTO), records the result and removes the scratch instance.",
        "Exits 1 when a check fails."
      })
  static final class Restore implements Callable<Integer> {
    @ParentCommand DrillCommand drill;

    @Option(names = "--to", paramLabel = "TIME", description = "A past time to restore to.")
    String to;

    @Option(names = "--json", description = "Print JSON: ok, rto_ms, backup_set, checks.")
    boolean json;

    @Override
    public Integer call() {
      StrataCommand root = drill.root;
      Backups backups =
          new Backups(
              root.workspace().stack(line -> root.err().println(line)).context(),
              line -> {
                root.err().println(line);
                root.err().flush();
              });
      Optional<java.time.Instant> time = Optional.empty();
      if (to != null) {
        RestoreTarget t = RestoreTarget.parse(to);
        if (t.time().isEmpty()) {
          throw dev.strata.core.StrataException.badInput(
              "a drill restores to a time: '" + to + "' is not one",
              "use --to 2026-12-02T05:01:02Z, or no --to for now");
        }
        time = t.time();
      }
      DrillResult result = new Drill(backups).run(time);
      PrintWriter out = root.out();
      if (json) {
        out.println(BackupCommand.json(result.toMap()));
      } else {
        out.println(
            (result.ok() ? "drill ok" : "DRILL FAILED")
                + ": restored "
                + result.backupSet()
                + " to "
                + result.target()
                + " in "
                + result.rtoMillis()
                + " ms (RTO)");
        for (DrillResult.Check c : result.checks()) {
          out.println("  " + (c.ok() ? "ok    " : "FAILED") + " " + c.name() + ": " + c.detail());
        }
      }
      out.flush();
      return result.ok() ? 0 : 1;
    }
  }

  @Command(
      name = "failover",
      description = {
        "Writes numbered entries through the application's URL, kills (--kill, kill -9) or",
        "freezes (--stop, SIGSTOP) the master, measures the time until writes succeed again",
        "(RTO) and counts acknowledged entries lost or stored twice; the old master rejoins",
        "as a replica before the next round."
      })
  static final class Failover implements Callable<Integer> {
    @ParentCommand DrillCommand drill;

    @Option(names = "--target", paramLabel = "postgres|redis", required = true)
    String target;

    @Option(names = "--kill", description = "kill -9 the master (the default).")
    boolean kill;

    @Option(names = "--stop", description = "Freeze the master with SIGSTOP instead.")
    boolean stop;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1")
    int rounds;

    @Option(names = "--json", description = "Print JSON: one object per round.")
    boolean json;

    @Override
    public Integer call() {
      StrataCommand root = drill.root;
      if (!target.equals("redis")) {
        throw dev.strata.core.StrataException.badInput(
            "unknown drill target '" + target + "'", "use --target redis");
      }
      if (rounds < 1) {
        throw dev.strata.core.StrataException.badInput(
            "--rounds must be at least 1", "pass --rounds 1 or more");
      }
      return RedisDrillOutput.run(root, stop, rounds, json);
    }
  }
}
