package dev.strata.jdbc.tenant.audit;

import java.util.List;

/**
 * What {@code strata tenancy test} proved.
 *
 * @param probes the table × operation × identity results
 * @param unproven tables that could not be tested, with the reason (no rows to test with)
 * @param fuzzAttempts random cross-tenant attempts made
 * @param fuzzLeaks attempts that read or wrote another tenant's rows
 * @param fuzzErrors attempts that failed with an unexpected error (neither a leak nor a denial)
 */
public record ProofReport(
    List<ProbeResult> probes,
    List<String> unproven,
    int fuzzAttempts,
    int fuzzLeaks,
    int fuzzErrors) {

  /** Whether every probe passed, every table was tested, and the fuzzing found no leak. */
  public boolean passed() {
    return unproven.isEmpty()
        && fuzzLeaks == 0
        && fuzzErrors == 0
        && probes.stream().allMatch(ProbeResult::passed);
  }
}
