package dev.strata.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestoreTargetTest {

  @Test
  void latest_is_the_end_of_the_archive() {
    assertThat(RestoreTarget.parse("latest").options()).containsExactly("--type=default");
  }

  @Test
  void a_time_is_read_in_utc_unless_it_has_an_offset_and_handed_to_pgbackrest_in_utc() {
    RestoreTarget z = RestoreTarget.parse("2026-12-02T05:01:02.123Z");
    assertThat(z.time()).contains(Instant.parse("2026-12-02T05:01:02.123Z"));
    assertThat(z.options())
        .containsExactly(
            "--type=time", "--target=2026-12-02 05:01:02.123000+00", "--target-action=promote");
    assertThat(RestoreTarget.parse("2026-12-02 06:01:02+01:00").time())
        .contains(Instant.parse("2026-12-02T05:01:02Z"));
    assertThat(RestoreTarget.parse("2026-12-02 06:01:02+01").time())
        .contains(Instant.parse("2026-12-02T05:01:02Z"));
    assertThat(RestoreTarget.parse("2026-12-02T05:01:02").time())
        .contains(Instant.parse("2026-12-02T05:01:02Z"));
  }

  @Test
  void an_lsn_and_a_name_are_told_apart() {
    assertThat(RestoreTarget.parse("0/3000060").kind()).isEqualTo(RestoreTarget.Kind.LSN);
    RestoreTarget name = RestoreTarget.parse("before-migration");
    assertThat(name.kind()).isEqualTo(RestoreTarget.Kind.NAME);
    assertThat(name.options()).contains("--type=name", "--target=before-migration");
  }

  @Test
  void a_malformed_time_is_refused_with_the_form_to_use() {
    assertThatThrownBy(() -> RestoreTarget.parse("2026-13-45T99:00:00Z"))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("is not a time");
    assertThatThrownBy(() -> RestoreTarget.parse("no spaces allowed"))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("neither latest");
  }
}
