package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.pool.domain.PoolUsage.Lifetime;
import dev.lote.pool.domain.PoolUsage.Metrics;

class PoolUsageTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void eachIntervalCountsTheCoreHoursOfTheNodeTimeInsideIt() {
    List<Lifetime> lifetimes =
        List.of(
            new Lifetime("a", "small", 2, T0.plus(Duration.ofMinutes(15)), T0.plus(Duration.ofMinutes(45))),
            new Lifetime("a", "small", 2, T0, null),
            new Lifetime("b", "large", 8, T0.plus(Duration.ofMinutes(40)), T0.plus(Duration.ofMinutes(50))));

    List<Metrics> metrics = PoolUsage.metrics(lifetimes, T0.plus(Duration.ofMinutes(5)), T0.plus(Duration.ofMinutes(60)), T0.plus(Duration.ofMinutes(60)));

    assertThat(metrics).extracting(Metrics::poolId, Metrics::startTime, Metrics::vmSize)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", T0, "small"),
            org.assertj.core.groups.Tuple.tuple("a", T0.plus(Duration.ofMinutes(30)), "small"),
            org.assertj.core.groups.Tuple.tuple("b", T0.plus(Duration.ofMinutes(30)), "large"));
    // first half hour: 15 min x 2 cores + 30 min x 2 cores = 1.5 core hours
    assertThat(metrics.get(0).totalCoreHours()).isCloseTo(1.5, within(1e-9));
    assertThat(metrics.get(0).endTime()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
    // second: 15 min x 2 + 30 min x 2 = 1.5; pool b: 10 min x 8 cores = 1.333...
    assertThat(metrics.get(1).totalCoreHours()).isCloseTo(1.5, within(1e-9));
    assertThat(metrics.get(2).totalCoreHours()).isCloseTo(80.0 / 60, within(1e-9));
  }

  @Test
  void aNodeThatStillExistsCountsUntilNowAndNothingBeforeItStarted() {
    List<Lifetime> running = List.of(new Lifetime("a", "small", 4, T0.plusSeconds(60), null));

    assertThat(PoolUsage.dedicatedCoreTime(running, T0.plusSeconds(90))).isEqualTo(Duration.ofSeconds(120));
    assertThat(PoolUsage.dedicatedCoreTime(running, T0)).isEqualTo(Duration.ZERO);
    assertThat(PoolUsage.metrics(running, T0.minus(Duration.ofHours(2)), T0, T0.plusSeconds(90))).isEmpty();
  }

  @Test
  void lowPriorityNodesCountInUsageMetricsButNotInDedicatedCoreTime() {
    List<Lifetime> spot = List.of(new Lifetime("a", "small", 1, T0, T0.plusSeconds(3600), false));

    assertThat(PoolUsage.dedicatedCoreTime(spot, T0.plusSeconds(7200))).isEqualTo(Duration.ZERO);
    assertThat(PoolUsage.metrics(spot, T0, T0.plusSeconds(3600), T0.plusSeconds(7200))).extracting(Metrics::totalCoreHours).containsExactly(0.5, 0.5);
  }

  @Test
  void intervalsStartOnTheHalfHour() {
    assertThat(PoolUsage.intervalStart(Instant.parse("2026-12-01T10:44:59.900Z"))).isEqualTo(Instant.parse("2026-12-01T10:30:00Z"));
    assertThat(PoolUsage.intervalStart(Instant.parse("2026-12-01T10:30:00Z"))).isEqualTo(Instant.parse("2026-12-01T10:30:00Z"));
  }
}
