package dev.strata.redis.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.tenant.TenantContext;
import org.junit.jupiter.api.Test;

final class CacheKeysTest {
  @Test
  void shared_and_tenant_keys_live_in_separate_namespaces() {
    assertThat(CacheKeys.shared("p").data("k")).isEqualTo("strata:c:{p:g}:k");
    assertThat(CacheKeys.of("p", TenantContext.tenant("acme")).data("k"))
        .isEqualTo("strata:c:{p:t4:acme}:k");
    assertThat(CacheKeys.of("p", TenantContext.admin()).data("k")).isEqualTo("strata:c:{p:g}:k");
  }

  @Test
  void tenant_ids_with_colons_cannot_spell_another_tenants_key() {
    String a = CacheKeys.of("p", TenantContext.tenant("a")).data("x:k");
    String b = CacheKeys.of("p", TenantContext.tenant("a:x")).data("k");
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void every_key_of_a_namespace_shares_one_cluster_hash_tag() {
    CacheKeys keys = CacheKeys.of("p", TenantContext.tenant("acme"));
    for (String key : new String[] {keys.data("k"), keys.tag("t"), keys.lock("k")}) {
      assertThat(io.lettuce.core.cluster.SlotHash.getSlot(key))
          .isEqualTo(io.lettuce.core.cluster.SlotHash.getSlot("{p:t4:acme}"));
    }
  }

  @Test
  void none_is_refused() {
    assertThatThrownBy(() -> CacheKeys.of("p", TenantContext.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cache 'p' cannot be scoped to TenantContext.none()");
  }

  @Test
  void scan_pattern_matches_the_namespace_literally() {
    assertThat(CacheKeys.of("p", TenantContext.tenant("a*[b]")).dataPattern("user:*"))
        .isEqualTo("strata:c:{p:t5:a\\*\\[b\\]}:user:*");
  }

  @Test
  void near_keys_parse_back_from_redis_keys() {
    for (TenantContext t :
        new TenantContext[] {
          TenantContext.admin(), TenantContext.tenant("acme"), TenantContext.tenant("a:b:c")
        }) {
      CacheKeys keys = CacheKeys.of("p", t);
      assertThat(NearKey.parse("strata:c:{p:", keys.data("x:y"))).isEqualTo(keys.near("x:y"));
    }
    assertThat(NearKey.parse("strata:c:{p:", "strata:c:{q:g}:k")).isNull();
    assertThat(NearKey.parse("strata:c:{p:", "strata:c:{p:t9:ab}:k")).isNull();
    assertThat(NearKey.parse("strata:c:{p:", "strata:c:{p:zz")).isNull();
    assertThat(NearKey.parse("strata:c:{p:", "strata:ct:{p:g}:tag")).isNull();
  }
}
