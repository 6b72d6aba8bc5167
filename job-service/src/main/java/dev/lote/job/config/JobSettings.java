package dev.lote.job.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lote.jobs.*}.
 *
 * @param stopGrace     how long a terminating or deleting job waits for its running tasks to report
 *                      before it is finished anyway (their node may be gone)
 * @param sweepInterval how often such jobs, and jobs past their wall clock, are looked for
 */
@ConfigurationProperties("lote.jobs")
public record JobSettings(@DefaultValue("PT2M") Duration stopGrace, @DefaultValue("PT5S") Duration sweepInterval) {}
