package dev.strata.ops.agent;

import dev.strata.core.schedule.Cron;

/**
 * A job and when it runs.
 *
 * @param cron its schedule
 * @param job what runs
 */
public record ScheduledJob(Cron cron, AgentJob job) {}
