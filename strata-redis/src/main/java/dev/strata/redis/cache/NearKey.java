package dev.strata.redis.cache;

/**
 * The key of a near-cache entry: the namespace prefix of a {@link CacheKeys} and the caller's key.
 * Keeping the two apart spares the hot path from building (and hashing) the full Redis key on every
 * hit; both strings cache their hash codes.
 */
record NearKey(String prefix, String key) {

  /** The entry's key in Redis. */
  String redisKey() {
    return prefix + key;
  }

  /**
   * Splits a Redis entry key of the cache whose keys start with {@code cachePrefix} ({@code
   * strata:c:{<cache>:}), followed by {@code g}:} or {@code t<length>:<tenant>}:}.
   *
   * @return null if {@code redisKey} is not an entry key of that cache
   */
  static NearKey parse(String cachePrefix, String redisKey) {
    if (!redisKey.startsWith(cachePrefix)) {
      return null;
    }
    int at = cachePrefix.length();
    int end;
    if (redisKey.startsWith("g}:", at)) {
      end = at + 3;
    } else if (redisKey.startsWith("t", at)) {
      int colon = redisKey.indexOf(':', at);
      if (colon < 0) {
        return null;
      }
      int length;
      try {
        length = Integer.parseInt(redisKey, at + 1, colon, 10);
      } catch (NumberFormatException e) {
        return null;
      }
      end = colon + 1 + length + 2;
      if (end > redisKey.length()
          || redisKey.charAt(end - 2) != '}'
          || redisKey.charAt(end - 1) != ':') {
        return null;
      }
    } else {
      return null;
    }
    return new NearKey(redisKey.substring(0, end), redisKey.substring(end));
  }
}
