package dev.lote.job.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lote.jobs.*}.
 *
 * @param stopGrace     how long a terminating, disabling or deleting job waits for the tasks it
 *                      stopped to report before it moves on anyway (their node may be gone)
 * @param sweepInterval how often such jobs, jobs past their wall clock and empty jobs are looked for
 * @param emptyJobGrace how long a job created with {@code onAllTasksComplete: terminatejob} may
 *                      stay without tasks before it counts as having completed them all
 */
@ConfigurationProperties("lote.jobs")
public record JobSettings(
    @DefaultValue("PT2M") Duration stopGrace,
    @DefaultValue("PT5S") Duration sweepInterval,
    @DefaultValue("PT30S") Duration emptyJobGrace) {}
