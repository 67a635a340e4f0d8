package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

final class TenancySpecTest {
  private static TenancySpec parse(String yaml) {
    return SpecLoader.parse(yaml, "strata.yaml", name -> null).tenancy();
  }

  @Test
  void admin_role_is_a_database_role_per_database() {
    assertThat(parse("").adminRole("hosterizer")).isEqualTo("hosterizer_tenant_admin");
    assertThat(parse("tenancy:\n  admin_role: ops_admin\n").adminRole("x")).isEqualTo("ops_admin");
  }

  @Test
  void admin_role_must_be_a_role_name() {
    assertThatThrownBy(() -> parse("tenancy:\n  admin_role: \"Bad Name\"\n"))
        .hasMessageContaining("tenancy.admin_role");
  }

  @Test
  void child_tables_name_their_parent_and_optionally_the_key() {
    TenancySpec t =
        parse("tenancy:\n  through: {deployments: sites, notes: sites}\n  by: {notes: site_id}\n");
    assertThat(t.through()).isEqualTo(Map.of("deployments", "sites", "notes", "sites"));
    assertThat(t.by()).isEqualTo(Map.of("notes", "site_id"));
    assertThat(t.isChild("deployments")).isTrue();
    assertThat(t.isChild("sites")).isFalse();
  }

  @Test
  void a_child_cannot_be_shared_and_by_needs_through() {
    assertThatThrownBy(() -> parse("tenancy:\n  through: {notes: sites}\n  shared: [notes]\n"))
        .hasMessageContaining("[notes] also listed in tenancy.shared");
    assertThatThrownBy(() -> parse("tenancy:\n  by: {notes: site_id}\n"))
        .hasMessageContaining("[notes] in tenancy.by but not in tenancy.through");
  }
}
