package dev.strata.core.tenant;

import java.util.Objects;
import java.util.Optional;

/**
 * Who a unit of work runs for: one tenant, the administrator (every tenant), or nobody. Both
 * libraries read it: strata-jdbc turns it into PostgreSQL settings that Row-Level Security policies
 * check, strata-redis into a key namespace. With {@link #none()} the policies show nothing (they
 * fail closed).
 */
public final class TenantContext {
  private static final TenantContext NONE = new TenantContext(null, false);
  private static final TenantContext ADMIN = new TenantContext(null, true);

  private final String tenantId;
  private final boolean admin;

  private TenantContext(String tenantId, boolean admin) {
    this.tenantId = tenantId;
    this.admin = admin;
  }

  /**
   * The context of one tenant.
   *
   * @throws IllegalArgumentException if {@code tenantId} is blank
   */
  public static TenantContext tenant(String tenantId) {
    Objects.requireNonNull(tenantId, "tenantId must not be null");
    if (tenantId.isBlank()) {
      throw new IllegalArgumentException("tenantId must not be blank");
    }
    return new TenantContext(tenantId, false);
  }

  /** The administrator's context: policies let it see every tenant. */
  public static TenantContext admin() {
    return ADMIN;
  }

  /** No tenant at all: tenant tables show nothing and accept no writes. */
  public static TenantContext none() {
    return NONE;
  }

  /** The tenant this context is for; empty for {@link #admin()} and {@link #none()}. */
  public Optional<String> tenantId() {
    return Optional.ofNullable(tenantId);
  }

  public boolean isAdmin() {
    return admin;
  }

  public boolean isNone() {
    return tenantId == null && !admin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TenantContext other
        && admin == other.admin
        && Objects.equals(tenantId, other.tenantId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenantId, admin);
  }

  @Override
  public String toString() {
    return admin
        ? "TenantContext[admin]"
        : isNone() ? "TenantContext[none]" : "TenantContext[tenant=" + tenantId + "]";
  }
}
