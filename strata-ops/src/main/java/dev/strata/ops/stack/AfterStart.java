package dev.strata.ops.stack;

import java.util.function.Consumer;

/**
 * Work the stack does once every component is healthy, as a step of {@code up}: an engine that runs
 * beside the servers rather than as one (pgBackRest's stanza-create needs PostgreSQL running). A
 * step that fails rolls the start back like a component that fails to start.
 *
 * @param name what the step does, for the progress line and the roll-back message
 * @param run the step; it reports progress through the consumer and throws {@code StrataException}
 *     naming the cause and the fix
 */
record AfterStart(String name, Consumer<Consumer<String>> run) {}
