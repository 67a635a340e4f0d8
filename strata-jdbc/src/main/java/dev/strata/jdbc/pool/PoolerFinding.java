package dev.strata.jdbc.pool;

/**
 * One statement pg_stat_statements recorded that breaks under transaction pooling.
 *
 * @param query the statement's text as pg_stat_statements keeps it (constants may be {@code $n})
 * @param role the role that ran it
 * @param calls how many times it ran since the statistics were last reset
 */
public record PoolerFinding(PoolerHazard hazard, String query, String role, long calls) {}
