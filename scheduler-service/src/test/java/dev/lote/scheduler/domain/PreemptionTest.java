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

  @Test
  void aJobManagerDisplacesItsOwnJobsTasksAndThoseOfLowerJobsEvenWithoutPreemptionButNeverOfEqualOrHigherJobs() {
    List<Running> running =
        List.of(
            new Running("other", "o1", 0, 1, false, false),
            new Running("higher", "h1", 1, 1, false, false),
            new Running("own", "t1", 0, 1, false, false),
            new Running("lower", "l1", -5, 1, false, false),
            new Running("own", "manager", 0, 1, false, true));

    assertThat(Preemption.choose(List.of(new Waiting("own", 0, 1, true)), running, 0)).extracting(Running::taskKey).containsExactly("l1");
    assertThat(Preemption.choose(List.of(new Waiting("own", 0, 2, true)), running, 0)).extracting(Running::taskKey).containsExactly("l1", "t1");
    assertThat(Preemption.choose(List.of(new Waiting("own", 0, 3, true)), running, 0))
        .as("other jobs of the same priority, higher ones and job managers stay: not enough room, nobody stopped")
        .isEmpty();
    assertThat(Preemption.choose(List.of(new Waiting("own", 0, 1, false)), running, 0)).as("a task that is not a job manager: none allows preemption").isEmpty();
  }

  @Test
  void aJobManagerThatFindsNoRoomDoesNotHoldUpTheTasksBehindIt() {
    List<Running> running = List.of(new Running("low", "l1", -10, 1));

    // the job manager needs two slots and may displace only one attempt; the task behind it needs one
    List<Running> chosen = Preemption.choose(List.of(new Waiting("own", 0, 2, true), new Waiting(0, 1)), running, 0);

    assertThat(chosen).extracting(Running::taskKey).containsExactly("l1");
  }
}
