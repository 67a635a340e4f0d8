package dev.strata.jdbc.tenant.audit;

import java.util.List;

/**
 * What {@code strata tenancy test} proved.
 *
 * @param probes the table × operation × identity results
 * @param unproven tables that could not be tested, with the reason
 * @param tables the tables the proof made rows in and tried
 * @param tenants how many tenants the proof made
 * @param fuzzAttempts random transactions made
 * @param fuzzStatements statements those transactions ran
 * @param fuzzLeaks statements that read or wrote another tenant's rows
 * @param fuzzErrors statements that failed with an unexpected error (neither a leak nor a denial)
 * @param notes what was not tried, and why (e.g. the admin role not granted to the app)
 */
public record ProofReport(
    List<ProbeResult> probes,
    List<String> unproven,
    List<String> tables,
    int tenants,
    int fuzzAttempts,
    int fuzzStatements,
    int fuzzLeaks,
    int fuzzErrors,
    List<String> notes) {

  /** Whether every probe passed, every table was tested, and the fuzzing found no leak. */
  public boolean passed() {
    return unproven.isEmpty()
        && fuzzLeaks == 0
        && fuzzErrors == 0
        && probes.stream().allMatch(ProbeResult::passed);
  }
}
