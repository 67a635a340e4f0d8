package dev.strata.redis.cache;

import java.nio.ByteBuffer;

/**
 * The bytes of a cached entry: a 14-byte header (magic, version, logical expiry, load time) and the
 * codec's payload. The header lets any instance apply probabilistic early refresh without an extra
 * {@code PTTL} round trip, and lets a reader tell a Strata entry from foreign bytes.
 */
final class Envelope {
  static final int HEADER = 14;
  private static final byte MAGIC = (byte) 0xCA;
  private static final byte VERSION = 1;

  private Envelope() {}

  static byte[] wrap(byte[] payload, long expiresAtMillis, int loadMillis) {
    return ByteBuffer.allocate(HEADER + payload.length)
        .put(MAGIC)
        .put(VERSION)
        .putLong(expiresAtMillis)
        .putInt(loadMillis)
        .put(payload)
        .array();
  }

  /**
   * Reads an entry.
   *
   * @throws IllegalArgumentException if the bytes are not a Strata entry of this version
   * @throws RuntimeException whatever the codec throws on a payload it cannot read
   */
  static <V> Held<V> unwrap(byte[] bytes, CacheCodec<V> codec) {
    if (bytes.length < HEADER || bytes[0] != MAGIC) {
      throw new IllegalArgumentException(
          "not a Strata cache entry (" + bytes.length + " bytes without the Strata header)");
    }
    if (bytes[1] != VERSION) {
      throw new IllegalArgumentException("entry format version " + bytes[1] + " is unknown");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long expiresAt = buffer.getLong(2);
    int loadMillis = buffer.getInt(10);
    byte[] payload = new byte[bytes.length - HEADER];
    System.arraycopy(bytes, HEADER, payload, 0, payload.length);
    V value = codec.decode(payload);
    if (value == null) {
      throw new IllegalArgumentException("the codec decoded the entry to null");
    }
    return new Held<>(value, expiresAt, loadMillis, bytes.length);
  }

  /**
   * A decoded entry: the value, when it expires in Redis, how long it took to load, and its size in
   * bytes as stored (for the near cache's weight bound).
   */
  record Held<V>(V value, long expiresAtMillis, int loadMillis, int size) {}
}
