package dev.strata.ops.agent;

import dev.strata.core.StrataException;
import dev.strata.core.env.RedisEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.ops.process.Wait;
import java.time.Duration;

/**
 * The scheduled Redis snapshot ({@code backup.schedule.redis}): {@code BGSAVE}, then waits until
 * Redis reports the save done and ok, so a failing save (a full disk) fails the job.
 */
record RedisSnapshotJob() implements AgentJob {
  @Override
  public String name() {
    return "redis-snapshot";
  }

  @Override
  public void run(JobContext ctx) {
    RedisEndpoint app = ctx.stack().env().redis();
    RedisEndpoint admin =
        app.as(
            StackEnvs.REDIS_ADMIN_USER,
            Secrets.open(ctx.stack().stateDir().secretsFile())
                .require(StackEnvs.redisSecret(StackEnvs.REDIS_ADMIN_USER)));
    RedisCli cli = new RedisCli(ctx.stack().tools().redisCli(), admin);
    long before = Long.parseLong(cli.info("persistence").getOrDefault("rdb_last_save_time", "0"));
    cli.run("BGSAVE");
    boolean done =
        Wait.until(
            () -> {
              var info = cli.info("persistence");
              return "0".equals(info.get("rdb_bgsave_in_progress"))
                  && Long.parseLong(info.getOrDefault("rdb_last_save_time", "0")) > before;
            },
            Duration.ofMinutes(10));
    var info = cli.info("persistence");
    if (!done || !"ok".equals(info.get("rdb_last_bgsave_status"))) {
      throw StrataException.failed(
          "the Redis snapshot did not complete (rdb_last_bgsave_status: "
              + info.get("rdb_last_bgsave_status")
              + ")",
          "see Redis's log: strata logs redis",
          null);
    }
    ctx.log().accept("redis snapshot saved");
  }
}
