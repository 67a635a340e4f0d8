package dev.strata.jdbc.tenant;

import dev.strata.core.spec.TenancySpec;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names Row-Level Security policies read: the setting holding the tenant id, a setting Strata
 * resets in every transaction for the application's own use (no policy trusts it: any session may
 * write it), and the database role that sees every tenant. They must match the {@code tenancy}
 * section the policies were generated from.
 *
 * @param tenantSetting default {@code app.current_tenant}
 * @param roleSetting default {@code app.current_role}
 * @param adminRole the administrator's database role, {@code {db}} standing for the database;
 *     default {@code {db}_tenant_admin}
 */
public record TenantSettings(String tenantSetting, String roleSetting, String adminRole) {
  private static final Pattern SETTING = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*");
  private static final TenantSettings DEFAULTS = of(TenancySpec.SECTION.defaults("defaults"));

  /**
   * @throws IllegalArgumentException if a setting name is not {@code prefix.name} or the admin role
   *     is blank
   */
  public TenantSettings {
    requireSetting(tenantSetting, "tenantSetting");
    requireSetting(roleSetting, "roleSetting");
    Objects.requireNonNull(adminRole, "adminRole must not be null");
    if (adminRole.isBlank()) {
      throw new IllegalArgumentException("adminRole must not be blank");
    }
    if (tenantSetting.equals(roleSetting)) {
      throw new IllegalArgumentException(
          "tenantSetting and roleSetting must differ, both are " + tenantSetting);
    }
  }

  /** {@code app.current_tenant}, {@code app.current_role}, {@code {db}_tenant_admin}. */
  public static TenantSettings defaults() {
    return DEFAULTS;
  }

  /** The names of a strata.yaml {@code tenancy} section. */
  public static TenantSettings of(TenancySpec spec) {
    return new TenantSettings(spec.tenantSetting(), spec.roleSetting(), spec.adminRole());
  }

  /** These settings with {@code {db}} in the admin role replaced by {@code database}. */
  public TenantSettings forDatabase(String database) {
    return adminRole.contains("{db}")
        ? new TenantSettings(tenantSetting, roleSetting, adminRole.replace("{db}", database))
        : this;
  }

  private static void requireSetting(String name, String what) {
    Objects.requireNonNull(name, what + " must not be null");
    if (!SETTING.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " must be a custom setting name such as app.current_tenant, but was: " + name);
    }
  }
}
