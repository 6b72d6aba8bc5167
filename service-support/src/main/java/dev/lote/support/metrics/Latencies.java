package dev.lote.support.metrics;

import java.time.Duration;

import io.micrometer.core.instrument.Timer;

/** Lote's latency timers: a Prometheus histogram with the same few buckets, 5 ms to an hour, few enough to keep one per pool. */
public final class Latencies {

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
    Duration.ofHours(1)
  };

  private Latencies() {}

  public static Timer.Builder timer(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS);
  }
}
