package dev.lote.pool.api;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.common.time.IsoDurations;

/**
 * Batch {@code PoolStatistics}. Usage is the core time of the pool's nodes, from how long each
 * existed. Lote does not gather the pools' resource use, so every {@code resourceStats} figure is 0.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PoolStatsBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    String url,
    Instant startTime,
    Instant lastUpdateTime,
    Usage usageStats,
    Resources resourceStats) {

  /** Batch {@code UsageStatistics}. */
  record Usage(Instant startTime, Instant lastUpdateTime, String dedicatedCoreTime) {}

  /** Batch {@code ResourceStatistics}: unmeasured, all 0. */
  record Resources(
      Instant startTime,
      Instant lastUpdateTime,
      double avgCPUPercentage,
      double avgMemoryGiB,
      double peakMemoryGiB,
      double avgDiskGiB,
      double peakDiskGiB,
      long diskReadIOps,
      long diskWriteIOps,
      double diskReadGiB,
      double diskWriteGiB,
      double networkReadGiB,
      double networkWriteGiB) {}

  static PoolStatsBody of(String metadata, String url, Instant since, Instant now, Duration coreTime) {
    return new PoolStatsBody(
        metadata,
        url,
        since,
        now,
        new Usage(since, now, IsoDurations.format(coreTime)),
        new Resources(since, now, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  }
}
