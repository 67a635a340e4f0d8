package dev.strata.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drill's row-count comparison: exact for a quiet table, bounded for one written meanwhile. */
class DrillCountsTest {

  private static DrillResult.Check compare(long before, long after, Long restored) {
    Map<String, Map<String, Long>> restoredCounts =
        restored == null ? Map.of("app", Map.of()) : Map.of("app", Map.of("public.t", restored));
    List<DrillResult.Check> checks =
        Drill.compareCounts(
            Map.of("app", Map.of("public.t", before)),
            Map.of("app", Map.of("public.t", after)),
            restoredCounts);
    return checks.get(0);
  }

  @Test
  void the_same_count_passes() {
    assertThat(compare(150, 150, 150L).ok()).isTrue();
  }

  @Test
  void a_lost_or_extra_row_is_found() {
    DrillResult.Check lost = compare(150, 150, 149L);
    assertThat(lost.ok()).isFalse();
    assertThat(lost.detail()).contains("app/public.t: source 150, restored 149");
    assertThat(compare(150, 150, 151L).ok()).isFalse();
  }

  @Test
  void a_missing_table_is_found() {
    DrillResult.Check missing = compare(3, 3, null);
    assertThat(missing.ok()).isFalse();
    assertThat(missing.detail()).contains("restored missing");
  }

  @Test
  void a_table_written_at_the_restore_point_may_have_either_count() {
    assertThat(compare(150, 152, 151L).ok()).isTrue();
    assertThat(compare(150, 152, 153L).ok()).isFalse();
  }
}
