package dev.strata.bench.redis;

import io.lettuce.core.RedisURI;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** A Redisson client on the same Redis and user as Strata, for the side-by-side figures. */
final class Redisson implements AutoCloseable {
  private final RedissonClient client;

  private Redisson(RedissonClient client) {
    this.client = client;
  }

  static Redisson of(String url) {
    RedisURI uri = RedisURI.create(url);
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    var server =
        config
            .useSingleServer()
            .setAddress(
                (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort());
    if (uri.getUsername() != null) {
      server.setUsername(uri.getUsername());
    }
    if (uri.getPassword() != null) {
      server.setPassword(new String(uri.getPassword()));
    }
    return new Redisson(org.redisson.Redisson.create(config));
  }

  /** A local cached map like Strata's near cache: 10,000 entries, invalidated on every change. */
  RLocalCachedMap<String, String> map(String name) {
    return client.getLocalCachedMap(
        LocalCachedMapOptions.<String, String>name(name)
            .cacheSize(10_000)
            .syncStrategy(LocalCachedMapOptions.SyncStrategy.INVALIDATE)
            .reconnectionStrategy(LocalCachedMapOptions.ReconnectionStrategy.CLEAR));
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
