package dev.strata.jdbc.tenant;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work run inside one transaction on behalf of a tenant.
 *
 * @param <T> what the work returns
 */
@FunctionalInterface
public interface TenantWork<T> {
  /** Runs on {@code connection}, in a transaction that commits when this returns normally. */
  T run(Connection connection) throws SQLException;
}
