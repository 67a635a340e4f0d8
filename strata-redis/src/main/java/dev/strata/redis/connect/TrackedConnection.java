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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RESP3 connection with Redis client-side caching ({@code CLIENT TRACKING ON}): the server
 * remembers which keys were read on it (or, in {@link Mode#broadcast broadcast} mode, watches key
 * prefixes) and pushes an {@code invalidate} message when one changes, expires or is evicted.
 *
 * <p>Only reads of cache entries may go through this connection: whatever else is read here would
 * be tracked too, and its invalidations would reach the near cache.
 *
 * <p>Tracking belongs to the server-side connection, so it is lost on reconnect. Every disconnect
 * starts a new <em>epoch</em>; the connection counts as tracking only once {@code CLIENT TRACKING}
 * was acknowledged within the current epoch, so a disconnect that slips between sending it and its
 * reply cannot leave {@link #isTracking()} true on a connection the server does not track. {@code
 * onReset} runs on every disconnect and again once tracking is back, so the near cache drops
 * everything it could have missed an invalidation for.
 */
public final class TrackedConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackedConnection.class);

  private final StatefulRedisConnection<String, byte[]> connection;
  private final Runnable onReset;
  private final Mode mode;
  private final ExecutorService retracker;
  private final AtomicLong epoch = new AtomicLong();
  private volatile long trackedEpoch = -1;
  private volatile boolean closed;

  /** What the server tracks for this connection. */
  public record Mode(boolean broadcast, List<String> prefixes) {
    public Mode {
      prefixes = List.copyOf(prefixes);
    }

    /** The keys read on the connection (the default; the server remembers them per client). */
    public static Mode readKeys() {
      return new Mode(false, List.of());
    }

    /**
     * Every key starting with one of {@code prefixes}, read or not ({@code BCAST}): the server
     * keeps no per-key memory, and every client hears of every change under the prefixes.
     */
    public static Mode broadcast(List<String> prefixes) {
      Objects.requireNonNull(prefixes, "prefixes must not be null");
      if (prefixes.isEmpty()) {
        throw new IllegalArgumentException("broadcast tracking needs at least one prefix");
      }
      return new Mode(true, prefixes);
    }

    TrackingArgs args() {
      TrackingArgs args = new TrackingArgs().enabled(true).noloop();
      if (broadcast) {
        args.bcast().prefixes(prefixes.toArray(String[]::new));
      }
      return args;
    }
  }

  private TrackedConnection(
      StatefulRedisConnection<String, byte[]> connection, Runnable onReset, Mode mode) {
    this.connection = connection;
    this.onReset = onReset;
    this.mode = mode;
    this.retracker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "strata-redis-tracking");
              t.setDaemon(true);
              return t;
            });
  }

  static TrackedConnection open(
      RedisClient client, PushListener listener, Runnable onReset, Mode mode) {
    StatefulRedisConnection<String, byte[]> connection = client.connect(StrataRedis.CODEC);
    TrackedConnection tracked = new TrackedConnection(connection, onReset, mode);
    connection.addListener(listener);
    connection.addListener(tracked.new Reconnects());
    try {
      long e = tracked.epoch.get();
      connection.sync().clientTracking(mode.args());
      tracked.trackedEpoch = e;
    } catch (RuntimeException e) {
      tracked.close();
      throw e;
    }
    return tracked;
  }

  /** The commands of this connection; reads through it are tracked. */
  public RedisClusterCommands<String, byte[]> sync() {
    return connection.sync();
  }

  /** Whether the server tracks this connection right now (in the current epoch). */
  public boolean isTracking() {
    return trackedEpoch == epoch.get() && !closed;
  }

  /** How many times the connection dropped; for tests and diagnostics. */
  public long epoch() {
    return epoch.get();
  }

  /** What is tracked. */
  public Mode mode() {
    return mode;
  }

  @Override
  public void close() {
    closed = true;
    retracker.shutdownNow();
    connection.close();
  }

  private void retrack() {
    while (!closed && !isTracking()) {
      long e = epoch.get();
      try {
        connection.sync().clientTracking(mode.args());
        onReset.run();
        trackedEpoch = e;
        if (isTracking()) {
          LOG.info("near cache tracking is on again after a reconnect");
        }
      } catch (RedisException ex) {
        if (closed) {
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
      epoch.incrementAndGet();
      onReset.run();
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
      if (!closed && !isTracking()) {
        retracker.execute(TrackedConnection.this::retrack);
      }
    }
  }
}
