package dev.strata.ops.stack;

import java.util.Optional;

/**
 * One row of {@code strata status}.
 *
 * @param state {@code running}, {@code stopped} or {@code not created}
 */
public record ComponentStatus(
    Component component,
    String endpoint,
    String state,
    Optional<String> version,
    Optional<Long> pid) {}
