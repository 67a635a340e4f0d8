package dev.strata.jdbc.tenant.audit;

/**
 * One cell of the {@code strata tenancy test} report: an operation on a table, tried as one
 * identity, in a transaction that was rolled back.
 *
 * @param identity who tried: {@code tenant A}, {@code tenant B}, {@code no tenant}, {@code admin}
 * @param expected what isolation requires
 * @param outcome what happened
 * @param passed whether the outcome is what isolation requires
 */
public record ProbeResult(
    String table,
    String operation,
    String identity,
    String expected,
    String outcome,
    boolean passed) {}
