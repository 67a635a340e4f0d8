package dev.strata.ops.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.DataSize;
import org.junit.jupiter.api.Test;

class PostgresTuningTest {

  @Test
  void a_24_gib_machine_gets_a_quarter_and_three_quarters() {
    assertThat(PostgresTuning.forMemory(DataSize.ofMegabytes(24 * 1024)))
        .containsEntry("shared_buffers", "6144MB")
        .containsEntry("effective_cache_size", "18432MB")
        .containsEntry("work_mem", "61MB")
        .containsEntry("maintenance_work_mem", "1536MB");
  }

  @Test
  void the_seeds_hand_set_values_are_the_floor_on_a_small_machine() {
    assertThat(PostgresTuning.forMemory(DataSize.ofMegabytes(512)))
        .containsEntry("shared_buffers", "256MB")
        .containsEntry("effective_cache_size", "1024MB")
        .containsEntry("work_mem", "4MB")
        .containsEntry("maintenance_work_mem", "64MB");
  }

  @Test
  void a_huge_machine_is_capped_where_more_stops_helping() {
    assertThat(PostgresTuning.forMemory(DataSize.ofMegabytes(512 * 1024)))
        .containsEntry("shared_buffers", "16384MB")
        .containsEntry("work_mem", "256MB")
        .containsEntry("maintenance_work_mem", "2048MB");
  }
}
