package dev.lote.scheduler.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.scheduler.domain.Preemption.Running;
import dev.lote.scheduler.domain.Preemption.Waiting;

class PreemptionTest {

  @Test
  void theLowestPriorityAttemptsGoFirstAndOnlyAsManyAsTheWaitingTasksNeed() {
    List<Running> running =
        List.of(new Running("mid", "m1", 0, 1), new Running("low", "l1", -10, 1), new Running("low", "l2", -10, 1));

    List<Running> chosen = Preemption.choose(List.of(new Waiting(100, 1), new Waiting(100, 1)), running, 0);

    assertThat(chosen).extracting(Running::taskKey).containsExactly("l1", "l2");
  }

  @Test
  void slotsAlreadyOnTheirWayBackAreCountedBeforeAnyOtherAttemptIsPreempted() {
    List<Running> running = List.of(new Running("low", "l1", -10, 1), new Running("low", "l2", -10, 1));

    assertThat(Preemption.choose(List.of(new Waiting(100, 1)), running, 1)).isEmpty();
    assertThat(Preemption.choose(List.of(new Waiting(100, 1), new Waiting(100, 1)), running, 1)).extracting(Running::taskKey).containsExactly("l1");
  }

  @Test
  void nothingOfEqualOrHigherPriorityIsPreemptedAndAWideTaskTakesSeveral() {
    List<Running> running = List.of(new Running("same", "s1", 5, 1), new Running("low", "l1", 0, 1), new Running("low", "l2", 0, 1));

    assertThat(Preemption.choose(List.of(new Waiting(5, 1)), running, 0)).extracting(Running::taskKey).containsExactly("l1");
    assertThat(Preemption.choose(List.of(new Waiting(5, 2)), running, 0)).extracting(Running::taskKey).containsExactly("l1", "l2");
    assertThat(Preemption.choose(List.of(new Waiting(5, 3)), running, 0)).as("not enough below it: nobody is stopped for nothing").isEmpty();
  }
}
