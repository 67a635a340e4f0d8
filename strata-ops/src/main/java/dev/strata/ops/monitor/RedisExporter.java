package dev.strata.ops.monitor;

import dev.strata.core.env.StackEnvs;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.ComponentContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's prometheus-redis-exporter, connected as the Redis {@code monitor} ACL user (INFO, PING,
 * SLOWLOG, LATENCY, CLIENT LIST and no key), with TLS and the stack's CA when Redis has it.
 */
final class RedisExporter extends DetachedServer {

  RedisExporter(ComponentContext context, Instance instance) {
    super(context, instance, MonitoringBinaries.REDIS_EXPORTER);
  }

  @Override
  public List<String> dependsOn() {
    return List.of(context.topology().first(Kind.REDIS).id());
  }

  @Override
  protected Map<String, String> files() {
    return Map.of();
  }

  @Override
  protected List<String> arguments() {
    Instance redis = context.topology().first(Kind.REDIS);
    boolean tls = StackEnvs.redisTls(context.spec());
    List<String> args = new ArrayList<>();
    args.add("-web.listen-address=" + instance.endpoint());
    args.add("-redis.addr=" + (tls ? "rediss://" : "redis://") + redis.endpoint());
    args.add("-redis.user=" + StackEnvs.REDIS_MONITOR_USER);
    if (tls) {
      args.add("-tls-ca-cert-file=" + context.dir().caFile());
    }
    return args;
  }

  @Override
  protected Map<String, String> environment() {
    return Map.of(
        "REDIS_PASSWORD",
        context.secrets().get(StackEnvs.redisSecret(StackEnvs.REDIS_MONITOR_USER)));
  }

  @Override
  protected String healthPath() {
    return "/metrics";
  }

  @Override
  protected List<String> versionCommand() {
    return List.of(
        MonitoringBinaries.find(MonitoringBinaries.REDIS_EXPORTER).toString(), "-version");
  }
}
