package dev.strata.redis.cache;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Turns cached values into bytes and back. {@link #decode} may throw any runtime exception on bytes
 * it cannot read; the cache then treats the entry as a miss and reports it.
 *
 * @param <V> the value type
 */
public interface CacheCodec<V> {
  /** The bytes of a non-null value. */
  byte[] encode(V value);

  /**
   * The value these bytes encode.
   *
   * @throws RuntimeException if the bytes cannot be read (the entry is then a reported miss)
   */
  V decode(byte[] bytes);

  /** UTF-8 strings. */
  static CacheCodec<String> string() {
    return new CacheCodec<>() {
      @Override
      public byte[] encode(String value) {
        return value.getBytes(UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        return new String(bytes, UTF_8);
      }
    };
  }

  /** Bytes as they are. The cache does not copy them: do not change an array once cached. */
  static CacheCodec<byte[]> bytes() {
    return new CacheCodec<>() {
      @Override
      public byte[] encode(byte[] value) {
        return value;
      }

      @Override
      public byte[] decode(byte[] bytes) {
        return bytes;
      }
    };
  }

  /** JSON through Jackson with a default {@link JsonMapper} (records and POJOs). */
  static <V> CacheCodec<V> json(Class<V> type) {
    return json(JsonMapper.builder().findAndAddModules().build(), type);
  }

  /** JSON through {@code mapper}, for {@code type}. */
  static <V> CacheCodec<V> json(ObjectMapper mapper, Class<V> type) {
    return new JsonCodec<>(mapper, mapper.constructType(type));
  }

  /** JSON through {@code mapper}, for a generic type such as {@code List<Product>}. */
  static <V> CacheCodec<V> json(ObjectMapper mapper, TypeReference<V> type) {
    return new JsonCodec<>(mapper, mapper.constructType(type));
  }

  /** Jackson-backed codec; readers and writers are prepared once, as Jackson advises. */
  final class JsonCodec<V> implements CacheCodec<V> {
    private final com.fasterxml.jackson.databind.ObjectReader reader;
    private final com.fasterxml.jackson.databind.ObjectWriter writer;

    JsonCodec(ObjectMapper mapper, JavaType type) {
      Objects.requireNonNull(mapper, "mapper must not be null");
      this.reader = mapper.readerFor(type);
      this.writer = mapper.writerFor(type);
    }

    @Override
    public byte[] encode(V value) {
      try {
        return writer.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot write " + value.getClass().getName() + " as JSON", e);
      }
    }

    @Override
    public V decode(byte[] bytes) {
      try {
        return reader.readValue(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read cached JSON: " + e.getMessage(), e);
      }
    }
  }
}
