package dev.strata.spring.cache;

import dev.strata.redis.cache.CacheCodec;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;

/**
 * Any {@link java.io.Serializable} value (and Spring's {@code NullValue}) through Java
 * serialization, as Spring's own Redis cache does by default. Reads with the class loader given, so
 * application classes resolve in a Boot fat jar too.
 */
public final class JavaSerializationCodec implements CacheCodec<Object> {
  private final SerializingConverter serializer = new SerializingConverter();
  private final DeserializingConverter deserializer;

  /** With the thread's context class loader at construction. */
  public JavaSerializationCodec() {
    this(Thread.currentThread().getContextClassLoader());
  }

  /** With {@code classLoader} for reading. */
  public JavaSerializationCodec(ClassLoader classLoader) {
    this.deserializer = new DeserializingConverter(classLoader);
  }

  @Override
  public byte[] encode(Object value) {
    return serializer.convert(value);
  }

  @Override
  public Object decode(byte[] bytes) {
    return deserializer.convert(bytes);
  }
}
