package dev.strata.redis.cache;

import dev.strata.core.tenant.TenantContext;

/**
 * Where a cache keeps things in Redis, for one namespace (shared, or one tenant):
 *
 * <ul>
 *   <li>entries: {@code strata:c:{<cache>:<ns>}:<key>}
 *   <li>tag sets: {@code strata:ct:{<cache>:<ns>}:<tag>}
 *   <li>load locks: {@code strata:cl:{<cache>:<ns>}:<key>}
 * </ul>
 *
 * <p>{@code <ns>} is {@code g} for shared entries and {@code t<length>:<tenant id>} for a tenant;
 * the length prefix makes the namespace unambiguous whatever characters a tenant id holds, so one
 * tenant's keys can never spell another's.
 *
 * <p>The braces are a Redis Cluster hash tag: every key of one cache namespace lives in one slot,
 * so an entry and its tag sets can change in one atomic script, and a pattern invalidation needs to
 * walk only the node that holds the slot. Different caches and different tenants spread over the
 * cluster.
 */
final class CacheKeys {
  private final String data;
  private final String tags;
  private final String locks;

  private CacheKeys(String cache, String namespace) {
    String slot = "{" + cache + ":" + namespace + "}:";
    this.data = "strata:c:" + slot;
    this.tags = "strata:ct:" + slot;
    this.locks = "strata:cl:" + slot;
  }

  static CacheKeys shared(String cache) {
    return new CacheKeys(cache, "g");
  }

  /**
   * The namespace of a tenant context: a tenant's own, or the shared one for the administrator.
   *
   * @throws IllegalArgumentException for {@link TenantContext#none()}: there is no tenant to read
   *     for, and falling back to shared entries would leak them
   */
  static CacheKeys of(String cache, TenantContext context) {
    if (context.isAdmin()) {
      return shared(cache);
    }
    String id =
        context
            .tenantId()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "cache '"
                            + cache
                            + "' cannot be scoped to TenantContext.none(); pass a tenant, or use"
                            + " the unscoped cache for shared entries"));
    return new CacheKeys(cache, "t" + id.length() + ":" + id);
  }

  /** {@code strata:c:{<cache>:}, the start of every entry key of the cache. */
  static String cachePrefix(String cache) {
    return "strata:c:{" + cache + ":";
  }

  /** The entry key prefix of this namespace, {@code strata:c:{<cache>:<ns>}:}. */
  String dataPrefix() {
    return data;
  }

  NearKey near(String key) {
    return new NearKey(data, key);
  }

  String data(String key) {
    return data + key;
  }

  String tag(String tag) {
    return tags + tag;
  }

  String lock(String key) {
    return locks + key;
  }

  /** A SCAN pattern for entry keys matching {@code glob}; the namespace is matched literally. */
  String dataPattern(String glob) {
    return escapeGlob(data) + glob;
  }

  private static String escapeGlob(String s) {
    return s.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }
}
