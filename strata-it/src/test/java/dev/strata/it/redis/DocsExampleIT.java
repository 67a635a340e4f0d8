package dev.strata.it.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.tenant.TenantContext;
import dev.strata.redis.cache.CacheCodec;
import dev.strata.redis.cache.StrataCache;
import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.lock.DistributedLocks;
import dev.strata.redis.lock.LockLease;
import dev.strata.redis.session.Session;
import dev.strata.redis.session.SessionStore;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The example of docs/redis.md, kept working. */
@StrataTest
final class DocsExampleIT {
  record Product(long id, String name) {}

  @Test
  void the_documented_example_runs(StrataStack stack) {
    try (StrataRedis redis = StrataRedis.connect(stack.env().redis());
        StrataCache<Product> products =
            StrataCache.builder(redis, "products", CacheCodec.json(Product.class))
                .ttl(Duration.ofMinutes(10)) // each entry: 9 to 10 minutes (10% jitter)
                .nearCache(10_000, Duration.ofMinutes(1)) // in-process level, kept coherent
                .loadLock(Duration.ofSeconds(5)) // one load across all instances
                .build();
        DistributedLocks locks = new DistributedLocks(redis)) {

      // cache-aside, per tenant: acme's entries are invisible to every other tenant
      StrataCache<Product> acme = products.forTenant(TenantContext.tenant("acme"));
      Product kettle =
          acme.get("product:42", Set.of("category:7"), () -> new Product(42, "kettle"));

      assertThat(kettle.name()).isEqualTo("kettle");
      assertThat(products.forTenant(TenantContext.tenant("globex")).getIfPresent("product:42"))
          .isEmpty();
      assertThat(acme.invalidateTag("category:7")).isEqualTo(1); // atomically
      acme.put("product:43", new Product(43, "toaster"));
      assertThat(acme.invalidateMatching("product:*")).isEqualTo(1); // by SCAN, never KEYS

      // a lock with a watchdog, and a fencing token for the resource it protects
      try (LockLease lease =
          locks.lock("nightly-report").tryLock(Duration.ofSeconds(2)).orElseThrow()) {
        System.out.println("writing the report with fencing token " + lease.fencingToken());
        assertThat(lease.fencingToken()).isPositive();
      }

      // sessions: sliding expiry, at most 5 per user, "log out everywhere"
      SessionStore sessions =
          SessionStore.builder(redis)
              .idleTimeout(Duration.ofMinutes(30))
              .maxSessionsPerUser(5)
              .build();
      Session session = sessions.create("alice", Map.of("role", "admin"));
      Optional<Session> found = sessions.find(session.id()); // slides the idle timeout
      List<Session> hers = sessions.list("alice"); // her live sessions, oldest first
      assertThat(found).map(Session::userId).contains("alice");
      assertThat(hers).hasSize(1);
      assertThat(sessions.revokeAll("alice")).isEqualTo(1);
    }
  }

  @Test
  void the_documented_sessions_example_runs(StrataStack stack) {
    try (StrataRedis redis = StrataRedis.connect(stack.env())) {
      SessionStore sessions =
          SessionStore.builder(redis)
              .idleTimeout(Duration.ofMinutes(30)) // slid by find, setAttribute, removeAttribute
              .absoluteTimeout(Duration.ofHours(12)) // however active; default none
              .maxSessionsPerUser(5) // creating a 6th revokes the oldest
              .maxAttributes(100)
              .maxValueBytes(64 * 1024) // the defaults
              .build();
      Session visitor = sessions.createAnonymous(Map.of("cart", "2 items"));
      Session alice = sessions.login(visitor.id(), "alice").orElseThrow(); // new id, cart kept
      Session safer = sessions.rotate(alice.id()).orElseThrow(); // new id, same data; old id dead
      sessions.removeAttribute(safer.id(), "cart");
      sessions.list("alice"); // her live sessions, oldest first, by handle
      sessions.revokeHandle("alice", sessions.list("alice").get(0).handle());
      sessions.revokeAll("alice"); // "log out everywhere"

      assertThat(sessions.find(visitor.id())).isEmpty();
      assertThat(sessions.find(alice.id())).isEmpty();
      assertThat(sessions.find(safer.id())).isEmpty();
      assertThat(sessions.list("alice")).isEmpty();
    }
  }
}
