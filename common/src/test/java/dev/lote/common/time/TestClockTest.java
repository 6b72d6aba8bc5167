package dev.lote.common.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class TestClockTest {

  static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  @Test
  void itRunsAheadOfItsBaseByAnOffsetThatOnlyGrowsAndTellsItsListenersWhenItMoves() {
    TestClock clock = new TestClock(Clock.fixed(T0, ZoneOffset.UTC));
    AtomicInteger moves = new AtomicInteger();
    clock.onAdvance(moves::incrementAndGet);
    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.advancedWithin(Duration.ofHours(1))).as("never moved").isFalse();

    assertThat(clock.advanceTo(Duration.ofMinutes(15))).isTrue();
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(900));
    assertThat(clock.millis()).isEqualTo(T0.plusSeconds(900).toEpochMilli());
    assertThat(clock.withZone(ZoneOffset.ofHours(2)).instant()).as("a zoned view shares the offset").isEqualTo(T0.plusSeconds(900));
    assertThat(clock.advancedWithin(Duration.ofMinutes(1))).isTrue();

    assertThat(clock.advanceTo(Duration.ofMinutes(5))).as("an older setting read again").isFalse();
    assertThat(clock.advanceTo(Duration.ofMinutes(15))).isFalse();
    assertThat(clock.offset()).isEqualTo(Duration.ofMinutes(15));
    assertThat(moves.get()).isEqualTo(1);

    clock.advanceTo(Duration.ofHours(1));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(3600));
    assertThat(moves.get()).isEqualTo(2);
  }
}
