package dev.lote.job.domain;

import static dev.lote.job.domain.Jobs.T0;
import static dev.lote.job.domain.Jobs.aQueuedTask;
import static dev.lote.job.domain.Jobs.anActiveJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;
import dev.lote.common.events.TaskEvents;
import dev.lote.common.events.TaskEvents.TaskCompleted;

class TaskTest {

  private static final Instant T1 = T0.plusSeconds(1);
  private static final NodePlacement NODE = new NodePlacement("p", "n1", "http://agent");

  private static TaskCompleted exited(int attempt, Integer code) {
    return new TaskCompleted("job-1", "t1", "p", "n1", "http://agent", attempt, code, T0, T1, null, null, null);
  }

  @Test
  void aStartedTaskRunsOnItsNode() {
    Task t = aQueuedTask(anActiveJob(""), "");

    assertThat(t.start(0, NODE, T0, T1)).isTrue();

    assertThat(t.state()).isEqualTo(TaskState.RUNNING);
    assertThat(t.placement()).isEqualTo(NODE);
    assertThat(t.execution().startTime()).isEqualTo(T0);
    assertThat(t.execution().previousState()).isEqualTo(TaskState.ACTIVE);
  }

  @Test
  void aZeroExitSucceedsAndSatisfiesDependents() {
    Task t = aQueuedTask(anActiveJob(""), "");

    Task.Completion c = t.complete(exited(0, 0), true, T1);

    assertThat(c.outcome()).isEqualTo(Task.Outcome.COMPLETED);
    assertThat(t.execution().result()).isEqualTo("success");
    assertThat(t.execution().failure()).isNull();
    assertThat(t.execution().satisfiesDependents()).isTrue();
    assertThat(c.options().jobAction()).isEqualTo(ExitOptions.JobAction.NONE);
  }

  @Test
  void aNonZeroExitIsRetriedWhileRetriesAreLeftThenFails() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':1}");

    assertThat(t.complete(exited(0, 2), true, T1).outcome()).isEqualTo(Task.Outcome.RETRIED);
    assertThat(t.state()).isEqualTo(TaskState.ACTIVE);
    assertThat(t.attempt()).isEqualTo(1);
    assertThat(t.execution().retryCount()).isEqualTo(1);
    assertThat(t.execution().lastRetryTime()).isEqualTo(T1);

    t.queued(2);
    Task.Completion last = t.complete(exited(1, 2), true, T1);

    assertThat(last.outcome()).isEqualTo(Task.Outcome.COMPLETED);
    assertThat(t.execution().result()).isEqualTo("failure");
    assertThat(t.execution().failure().code()).isEqualTo("FailureExitCode");
    assertThat(t.execution().satisfiesDependents()).isFalse();
    assertThat(last.options().jobAction()).isEqualTo(ExitOptions.JobAction.TERMINATE);
  }

  @Test
  void unlimitedRetriesKeepRetrying() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':-1}");
    for (int attempt = 0; attempt < 20; attempt++) {
      assertThat(t.complete(exited(attempt, 1), true, T1).outcome()).isEqualTo(Task.Outcome.RETRIED);
      t.queued(attempt + 2);
    }
    assertThat(t.execution().retryCount()).isEqualTo(20);
  }

  @Test
  void anAttemptHandedBackByALeavingNodeIsRequeuedWithoutUsingARetry() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':0}");
    t.start(0, NODE, T0, T0);
    TaskCompleted handedBack =
        new TaskCompleted("job-1", "t1", "p", "n1", "http://agent", 0, 143, T0, T1, "servererror", TaskEvents.REQUEUED, "node left");

    assertThat(t.complete(handedBack, true, T1).outcome()).isEqualTo(Task.Outcome.RETRIED);

    assertThat(t.state()).isEqualTo(TaskState.ACTIVE);
    assertThat(t.attempt()).isEqualTo(1);
    assertThat(t.execution().requeueCount()).isEqualTo(1);
    assertThat(t.execution().retryCount()).isZero();
    assertThat(t.execution().startTime()).isNull();
  }

  @Test
  void anAttemptEndedBecauseItsNodeLeftCompletesWithoutRetry() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':3}");
    t.start(0, NODE, T0, T0);
    TaskCompleted ended =
        new TaskCompleted("job-1", "t1", "p", "n1", "http://agent", 0, 143, T0, T1, "usererror", TaskEvents.ENDED, "node left");

    assertThat(t.complete(ended, true, T1).outcome()).isEqualTo(Task.Outcome.COMPLETED);

    assertThat(t.execution().result()).isEqualTo("failure");
    assertThat(t.execution().failure().code()).isEqualTo(TaskEvents.ENDED);
    assertThat(t.execution().retryCount()).isZero();
  }

  @Test
  void aTaskThatCouldNotStartIsNotRetried() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':3}");
    TaskCompleted noProcess =
        new TaskCompleted("job-1", "t1", "p", "n1", "http://agent", 0, null, null, T1, "usererror", "BlobNotFound", "no such file");

    assertThat(t.complete(noProcess, true, T1).outcome()).isEqualTo(Task.Outcome.COMPLETED);
    assertThat(t.execution().failure().code()).isEqualTo("BlobNotFound");
    assertThat(t.execution().exitCode()).isNull();
  }

  @Test
  void noRetryWhenTheJobNoLongerRunsTasks() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':3}");

    assertThat(t.complete(exited(0, 137), false, T1).outcome()).isEqualTo(Task.Outcome.COMPLETED);
  }

  @Test
  void reportsOfOtherAttemptsOrOfANeverQueuedTaskAreIgnored() {
    Job job = anActiveJob("");
    Task t = aQueuedTask(job, "");
    assertThat(t.start(3, NODE, T0, T1)).isFalse();
    assertThat(t.complete(exited(3, 0), true, T1).outcome()).isEqualTo(Task.Outcome.IGNORED);

    Task waiting = Task.create(job, TaskDefinition.parse(Jobs.body("{'id':'w','commandLine':'x'}"), job), T0, 1);
    assertThat(waiting.start(0, NODE, T0, T1)).isFalse();
    assertThat(waiting.complete(exited(0, 0), true, T1).outcome()).isEqualTo(Task.Outcome.IGNORED);
    assertThat(waiting.state()).isEqualTo(TaskState.ACTIVE);
  }

  @Test
  void aCompletedTaskCannotBeTerminated() {
    Task t = aQueuedTask(anActiveJob(""), "");
    t.terminate(T1);
    assertThat(t.execution().failure().code()).isEqualTo("TaskEnded");

    assertThatThrownBy(() -> t.terminate(T1))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("TaskCompleted"));
  }

  @Test
  void aTaskBecomesRunnableWhenItsLastParentIsSatisfied() {
    Job job = anActiveJob("'usesTaskDependencies':true");
    Task child = Task.create(job, TaskDefinition.parse(Jobs.body("{'id':'c','commandLine':'x','dependsOn':{'taskIds':['a','b']}}"), job), T0, 2);

    assertThat(child.parentSatisfied(T1)).isFalse();
    assertThat(child.parentSatisfied(T1)).isTrue();
    assertThat(child.parentSatisfied(T1)).as("nothing left to release").isFalse();
  }

  @Test
  void everyChangeMakesANewVersion() {
    Task t = aQueuedTask(anActiveJob(""), "");
    long v = t.version();
    t.start(0, NODE, T0, T1);
    assertThat(t.version()).isGreaterThan(v);
  }
}
