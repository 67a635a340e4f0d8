package dev.strata.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.backup.RedisBackups.RedisBackup;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class RedisRetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

  private static RedisBackup daysAgo(int days) {
    return new RedisBackup(
        "redis-" + days, Path.of("redis-" + days), NOW.minus(Duration.ofDays(days)), 1);
  }

  private static final List<RedisBackup> DAILY =
      List.of(daysAgo(10), daysAgo(9), daysAgo(8), daysAgo(7), daysAgo(6), daysAgo(1), daysAgo(0));

  @Test
  void retention_redis_removes_the_backups_older_than_its_days() {
    assertThat(RedisBackups.expired(DAILY, Optional.empty(), Optional.of(7), NOW))
        .extracting(RedisBackup::name)
        .containsExactly("redis-10", "redis-9", "redis-8");
  }

  @Test
  void it_wins_over_the_oldest_postgres_backup_kept() {
    Optional<Instant> oldestPg = Optional.of(NOW.minus(Duration.ofDays(30)));
    assertThat(RedisBackups.expired(DAILY, oldestPg, Optional.of(7), NOW)).hasSize(3);
    assertThat(RedisBackups.expired(DAILY, oldestPg, Optional.empty(), NOW)).isEmpty();
    assertThat(
            RedisBackups.expired(
                DAILY, Optional.of(NOW.minus(Duration.ofDays(8))), Optional.empty(), NOW))
        .extracting(RedisBackup::name)
        .containsExactly("redis-10", "redis-9");
  }

  @Test
  void the_newest_is_kept_however_old() {
    List<RedisBackup> old = List.of(daysAgo(40), daysAgo(20));
    assertThat(RedisBackups.expired(old, Optional.empty(), Optional.of(7), NOW))
        .extracting(RedisBackup::name)
        .containsExactly("redis-40");
    assertThat(RedisBackups.expired(List.of(daysAgo(20)), Optional.empty(), Optional.of(7), NOW))
        .isEmpty();
  }
}
