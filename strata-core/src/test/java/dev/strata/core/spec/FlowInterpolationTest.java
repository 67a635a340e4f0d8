package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${VAR}} in a flow list: quoted it works; unquoted the error says to quote it. */
class FlowInterpolationTest {
  @TempDir Path dir;

  @Test
  void quoted_in_a_flow_list_it_expands() throws IOException {
    Path yaml = dir.resolve("strata.yaml");
    Files.writeString(yaml, "postgres:\n  databases: [app, \"${EXTRA_DB:-extra}\"]\n");
    assertThat(SpecLoader.load(yaml, Map.<String, String>of()::get).postgres().databases())
        .isEqualTo(List.of("app", "extra"));
  }

  @Test
  void unquoted_the_error_says_to_quote_it() throws IOException {
    Path yaml = dir.resolve("strata.yaml");
    Files.writeString(yaml, "postgres:\n  databases: [app, ${EXTRA_DB:-extra}]\n");
    assertThatThrownBy(() -> SpecLoader.load(yaml, Map.<String, String>of()::get))
        .hasMessageContaining("strata.yaml:2:")
        .hasMessageContaining("a ${VAR} inside [ ] or { } must be quoted: \"${VAR}\"");
    // Not said where it does not apply.
    Files.writeString(yaml, "postgres:\n  databases: [app, extra\n");
    assertThatThrownBy(() -> SpecLoader.load(yaml, Map.<String, String>of()::get))
        .hasMessageNotContaining("must be quoted");
  }
}
