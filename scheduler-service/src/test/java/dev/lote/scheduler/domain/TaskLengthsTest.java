package dev.lote.scheduler.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class TaskLengthsTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  final TaskLengths lengths = new TaskLengths(4, Duration.ofMillis(500));

  void ran(String pool, long millis) {
    lengths.completed(pool, T0, T0.plusMillis(millis));
  }

  @Test
  void noBacklogBeforeAnyTaskOfThePoolHasCompleted() {
    assertThat(lengths.backlogPerSlot("p")).isZero();
  }

  @Test
  void shortTasksEarnTheBacklogAndLongOnesTakeItAway() {
    ran("p", 5);
    assertThat(lengths.backlogPerSlot("p")).isEqualTo(4);
    assertThat(lengths.backlogPerSlot("other")).as("per pool").isZero();
    for (int i = 0; i < 20; i++) {
      ran("p", 60_000);
    }
    assertThat(lengths.backlogPerSlot("p")).isZero();
    for (int i = 0; i < 40; i++) {
      ran("p", 10);
    }
    assertThat(lengths.backlogPerSlot("p")).isEqualTo(4);
  }

  @Test
  void oneLongTaskAmongManyShortOnesDoesNotFlipThePool() {
    for (int i = 0; i < 20; i++) {
      ran("p", 10);
    }
    ran("p", 2_000);
    assertThat(lengths.backlogPerSlot("p")).isEqualTo(4);
  }

  @Test
  void attemptsThatNeverStartedAreIgnoredAndAForgottenPoolStartsOver() {
    lengths.completed("p", null, T0);
    assertThat(lengths.backlogPerSlot("p")).isZero();
    ran("p", 1);
    lengths.forget("p");
    assertThat(lengths.backlogPerSlot("p")).isZero();
    assertThatThrownBy(() -> new TaskLengths(-1, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
  }
}
