package dev.strata.redis.connect;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.net.SocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RESP3 connection with Redis client-side caching ({@code CLIENT TRACKING ON}): the server
 * remembers which keys were read on it and pushes an {@code invalidate} message when one changes,
 * expires or is evicted. With {@code NOLOOP}: writes sent on this connection do not come back as
 * invalidations to itself (the writer updates its own near cache directly).
 *
 * <p>Tracking belongs to the server-side connection, so it is lost on reconnect. {@link
 * #isTracking()} is false from the moment the connection drops until tracking is switched on again
 * on the new one; {@code onReset} runs at both moments, so the near cache can drop everything it
 * could have missed an invalidation for.
 */
public final class TrackedConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackedConnection.class);

  private final StatefulRedisConnection<String, byte[]> connection;
  private final Runnable onReset;
  private final ExecutorService retracker;
  private volatile boolean tracking;
  private volatile boolean closed;

  private TrackedConnection(StatefulRedisConnection<String, byte[]> connection, Runnable onReset) {
    this.connection = connection;
    this.onReset = onReset;
    this.retracker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "strata-redis-tracking");
              t.setDaemon(true);
              return t;
            });
  }

  static TrackedConnection open(RedisClient client, PushListener listener, Runnable onReset) {
    StatefulRedisConnection<String, byte[]> connection = client.connect(StrataRedis.CODEC);
    TrackedConnection tracked = new TrackedConnection(connection, onReset);
    connection.addListener(listener);
    connection.addListener(tracked.new Reconnects());
    connection.sync().clientTracking(new TrackingArgs().enabled(true).noloop());
    tracked.tracking = true;
    return tracked;
  }

  /** The commands of this connection; reads through it are tracked. */
  public RedisClusterCommands<String, byte[]> sync() {
    return connection.sync();
  }

  /** Whether the server tracks the keys read on this connection right now. */
  public boolean isTracking() {
    return tracking;
  }

  @Override
  public void close() {
    closed = true;
    tracking = false;
    retracker.shutdownNow();
    connection.close();
  }

  private void retrack() {
    while (!closed && !tracking) {
      try {
        connection.sync().clientTracking(new TrackingArgs().enabled(true).noloop());
        onReset.run();
        tracking = true;
        LOG.info("near cache tracking is on again after a reconnect");
      } catch (RedisException e) {
        if (!connection.isOpen() && closed) {
          return;
        }
        try {
          Thread.sleep(50); // the link just came back; give the handshake a moment
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private final class Reconnects implements RedisConnectionStateListener {
    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
      tracking = false;
      onReset.run();
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
      if (!closed && !tracking && connection != null) {
        retracker.execute(TrackedConnection.this::retrack);
      }
    }
  }
}
