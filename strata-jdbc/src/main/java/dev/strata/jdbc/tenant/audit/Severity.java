package dev.strata.jdbc.tenant.audit;

/** How bad an audit finding is, worst first. */
public enum Severity {
  /** Tenant rows can be read or written across tenants now. */
  CRITICAL,
  /** Isolation is incomplete: a role or path can get around it, or the application breaks. */
  HIGH,
  /** Isolation holds, but queries will be slow or an edge is unguarded. */
  WARNING
}
