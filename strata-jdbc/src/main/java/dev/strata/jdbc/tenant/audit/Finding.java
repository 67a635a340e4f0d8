package dev.strata.jdbc.tenant.audit;

/**
 * One problem {@link TenancyAudit} found.
 *
 * @param object what it is about: a table, view, function or role
 * @param problem what is wrong and what it allows
 * @param fix what to do about it
 */
public record Finding(Severity severity, String object, String problem, String fix) {}
