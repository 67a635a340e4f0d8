package dev.strata.ops.agent;

import dev.strata.ops.stack.Stack;
import java.util.function.Consumer;

/**
 * What a job runs against.
 *
 * @param stack the supervised stack
 * @param log where the job's progress lines go (the agent's log)
 */
public record JobContext(Stack stack, Consumer<String> log) {}
