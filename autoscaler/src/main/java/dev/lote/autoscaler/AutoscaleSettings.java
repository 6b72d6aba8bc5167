package dev.lote.autoscaler;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lote.autoscale.*}.
 *
 * @param samplePeriod how often every metric of every pool is sampled (Azure: 30 seconds)
 * @param history      how long samples are kept; the longest look-back a formula or a replay can use
 */
@ConfigurationProperties("lote.autoscale")
public record AutoscaleSettings(@DefaultValue("PT5S") Duration samplePeriod, @DefaultValue("PT24H") Duration history) {}
