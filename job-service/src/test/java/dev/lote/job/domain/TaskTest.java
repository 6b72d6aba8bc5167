package dev.lote.job.domain;

import static dev.lote.job.domain.Jobs.T0;
import static dev.lote.job.domain.Jobs.aQueuedTask;
import static dev.lote.job.domain.Jobs.anActiveJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.TaskEvents.TaskCompleted;

class TaskTest {

  private static final Instant T1 = T0.plusSeconds(1);
  private static final NodePlacement NODE = new NodePlacement("p", "n1", "http://agent");

  private static TaskCompleted exited(int attempt, int code) {
    return ended(attempt, code, code == 0 ? EndReason.SUCCEEDED : EndReason.EXIT_CODE, null);
  }

  private static TaskCompleted ended(int attempt, Integer code, EndReason reason, String message) {
    return new TaskCompleted("job-1", "t1", "p", "n1", "http://agent", attempt, 1, code, T0, T1, reason, message);
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
    TaskCompleted handedBack = ended(0, 143, EndReason.HANDED_BACK, "node left");

    assertThat(t.complete(handedBack, true, T1).outcome()).isEqualTo(Task.Outcome.REQUEUED);

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
    TaskCompleted ended = ended(0, 143, EndReason.ENDED_BY_NODE_LEAVING, "node left");

    assertThat(t.complete(ended, true, T1).outcome()).isEqualTo(Task.Outcome.COMPLETED);

    assertThat(t.execution().result()).isEqualTo("failure");
    assertThat(t.execution().failure()).isEqualTo(new FailureInfo("usererror", "TaskEnded", "node left"));
    assertThat(t.execution().retryCount()).isZero();
  }

  @Test
  void aTaskThatCouldNotStartIsNotRetried() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':3}");
    TaskCompleted noProcess = ended(0, null, EndReason.PREPARATION_FAILED, "no such file");

    assertThat(t.complete(noProcess, true, T1).outcome()).isEqualTo(Task.Outcome.COMPLETED);
    assertThat(t.execution().failure()).isEqualTo(new FailureInfo("usererror", "ResourceFileDownloadFailed", "no such file"));
    assertThat(t.execution().exitCode()).isNull();
  }

  @Test
  void aFailedUploadKeepsTheExitCodeFailsWithoutRetryAndAppliesFileUploadError() {
    Job job = anActiveJob("'onTaskFailure':'performexitoptionsjobaction'");
    Task t = aQueuedTask(job, "'constraints':{'maxTaskRetryCount':3},'exitConditions':{'fileUploadError':{'jobAction':'none'}}");
    TaskCompleted uploadFailed = ended(0, 0, EndReason.FILE_UPLOAD_FAILED, "The file wd/r.txt could not be uploaded");

    Task.Completion c = t.complete(uploadFailed, true, T1);

    assertThat(c.outcome()).isEqualTo(Task.Outcome.COMPLETED);
    assertThat(t.execution().exitCode()).isZero();
    assertThat(t.execution().result()).isEqualTo("failure");
    assertThat(t.execution().failure()).isEqualTo(new FailureInfo("usererror", "FileUploadFailed", "The file wd/r.txt could not be uploaded"));
    assertThat(c.options()).isEqualTo(new ExitOptions(ExitOptions.JobAction.NONE, ExitOptions.DependencyAction.BLOCK));
    assertThat(t.execution().satisfiesDependents()).isFalse();
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

    Task waiting = Task.create(job, TaskDefinition.parse(Jobs.body("{'id':'w','commandLine':'x'}"), job), T0, 1, "r");
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
    Task child = Task.create(job, TaskDefinition.parse(Jobs.body("{'id':'c','commandLine':'x','dependsOn':{'taskIds':['a','b']}}"), job), T0, 2, "r");

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

  @Test
  void aLostCurrentAttemptIsRequeuedWithoutUsingARetry() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':0}");
    t.start(0, NODE, T0, T0);

    assertThat(t.attemptLost(0, true, T1).outcome()).isEqualTo(Task.Outcome.REQUEUED);

    assertThat(t.state()).isEqualTo(TaskState.ACTIVE);
    assertThat(t.attempt()).isEqualTo(1);
    assertThat(t.execution().requeueCount()).isEqualTo(1);
    assertThat(t.execution().retryCount()).isZero();
    assertThat(t.execution().startTime()).isNull();
  }

  @Test
  void aLostAttemptOfATaskNotYetStartedIsRequeuedToo() {
    Task t = aQueuedTask(anActiveJob(""), "");

    assertThat(t.attemptLost(0, true, T1).outcome()).isEqualTo(Task.Outcome.REQUEUED);
    assertThat(t.attempt()).isEqualTo(1);
  }

  @Test
  void theLateCompletionOfALostAttemptChangesNothing() {
    Task t = aQueuedTask(anActiveJob(""), "");
    t.start(0, NODE, T0, T0);
    t.attemptLost(0, true, T1);
    t.queued(2);
    long version = t.version();

    assertThat(t.complete(exited(0, 0), true, T1).outcome()).isEqualTo(Task.Outcome.IGNORED);
    assertThat(t.start(0, NODE, T0, T1)).isFalse();

    assertThat(t.version()).isEqualTo(version);
    assertThat(t.state()).isEqualTo(TaskState.ACTIVE);
    assertThat(t.attempt()).isEqualTo(1);
  }

  @Test
  void aLossReportedAfterTheAttemptCompletedChangesNothing() {
    Task t = aQueuedTask(anActiveJob(""), "");
    t.start(0, NODE, T0, T0);
    t.complete(exited(0, 0), true, T1);
    long version = t.version();

    assertThat(t.attemptLost(0, true, T1).outcome()).isEqualTo(Task.Outcome.IGNORED);
    assertThat(t.attemptLost(5, true, T1).outcome()).isEqualTo(Task.Outcome.IGNORED);

    assertThat(t.version()).isEqualTo(version);
    assertThat(t.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(t.execution().requeueCount()).isZero();
  }

  @Test
  void aLostAttemptOfAJobThatNoLongerRunsTasksCompletesAsNodeLost() {
    Task t = aQueuedTask(anActiveJob(""), "");
    t.start(0, NODE, T0, T0);

    assertThat(t.attemptLost(0, false, T1).outcome()).isEqualTo(Task.Outcome.COMPLETED);
    assertThat(t.execution().failure().category()).isEqualTo(EndReason.NODE_LOST.failureCategory());
    assertThat(t.execution().failure().code()).isEqualTo(EndReason.NODE_LOST.failureCode());
  }

  @Test
  void aHandedBackAttemptIsNeverRetriedAsAFailure() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':3}");

    t.complete(ended(0, null, EndReason.HANDED_BACK, null), true, T1);

    assertThat(t.execution().retryCount()).isZero();
    assertThat(t.execution().requeueCount()).isEqualTo(1);
  }

  @Test
  void aFailedTaskIsReactivatedAsANewAttemptWithItsRetriesCountedAfresh() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':1}");
    t.start(0, NODE, T0, T0);
    t.complete(exited(0, 2), true, T1);
    t.queued(2);
    t.attemptLost(1, true, T1);
    t.queued(3);
    t.complete(exited(2, 2), true, T1);
    assertThat(t.execution().result()).isEqualTo("failure");

    Instant t2 = T1.plusSeconds(1);
    assertThat(t.reactivate(t2)).as("a failure blocks its dependents").isFalse();

    TaskExecution e = t.execution();
    assertThat(t.state()).isEqualTo(TaskState.ACTIVE);
    assertThat(e.previousState()).isEqualTo(TaskState.COMPLETED);
    assertThat(e.stateTime()).isEqualTo(t2);
    assertThat(t.attempt()).isEqualTo(3);
    assertThat(e.retryCount()).isZero();
    assertThat(e.requeueCount()).as("history stays").isEqualTo(1);
    assertThat(e.exitCode()).isNull();
    assertThat(e.result()).isNull();
    assertThat(e.failure()).isNull();
    assertThat(e.endTime()).isNull();
    assertThat(e.queueSeq()).as("not queued until the service queues it").isNull();
    assertThat(t.runnable()).isTrue();

    assertThat(t.complete(exited(2, 2), true, t2).outcome()).as("a report of the attempt before").isEqualTo(Task.Outcome.IGNORED);
    t.queued(4);
    assertThat(t.complete(exited(3, 2), true, t2).outcome()).as("its retries count afresh").isEqualTo(Task.Outcome.RETRIED);
  }

  @Test
  void onlyACompletedTaskThatFailedCanBeReactivated() {
    Task active = aQueuedTask(anActiveJob(""), "");
    assertThatThrownBy(() -> active.reactivate(T1))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("TaskNotCompleted"));

    Task succeeded = aQueuedTask(anActiveJob(""), "");
    succeeded.complete(exited(0, 0), true, T1);
    long version = succeeded.version();
    assertThatThrownBy(() -> succeeded.reactivate(T1))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("TaskSucceeded"));
    assertThat(succeeded.version()).isEqualTo(version);

    Task terminated = aQueuedTask(anActiveJob(""), "");
    terminated.terminate(T1);
    terminated.reactivate(T1);
    assertThat(terminated.state()).isEqualTo(TaskState.ACTIVE);
  }

  @Test
  void aFailureThatSatisfiedItsDependentsSaysSoWhenReactivated() {
    Task t = aQueuedTask(anActiveJob(""), "'exitConditions':{'default':{'dependencyAction':'satisfy'}}");
    t.complete(exited(0, 5), true, T1);

    assertThat(t.reactivate(T1)).isTrue();
    assertThat(t.execution().satisfiesDependents()).isFalse();
  }

  @Test
  void aDependentStillWaitingWaitsForAReactivatedParentAgainOneAlreadyReleasedDoesNot() {
    Job job = anActiveJob("'usesTaskDependencies':true");
    Task waiting = Task.create(job, TaskDefinition.parse(Jobs.body("{'id':'c','commandLine':'x','dependsOn':{'taskIds':['a','b']}}"), job), T0, 1, "r");
    Task released = Task.create(job, TaskDefinition.parse(Jobs.body("{'id':'d','commandLine':'x','dependsOn':{'taskIds':['a']}}"), job), T0, 0, "r");

    assertThat(waiting.parentReactivated(T1)).isTrue();
    assertThat(released.parentReactivated(T1)).isFalse();

    assertThat(waiting.execution().pendingParents()).isEqualTo(2);
    assertThat(waiting.parentSatisfied(T1)).isFalse();
    assertThat(waiting.parentSatisfied(T1)).isTrue();
    assertThat(released.execution().pendingParents()).isZero();
  }

  @Test
  void aReactivatedTaskThatWasEndedWhileWaitingForParentsWaitsForThemAgain() {
    Job job = anActiveJob("'usesTaskDependencies':true");
    Task child = Task.create(job, TaskDefinition.parse(Jobs.body("{'id':'c','commandLine':'x','dependsOn':{'taskIds':['a']}}"), job), T0, 1, "r");
    child.terminate(T1);

    child.reactivate(T1);

    assertThat(child.runnable()).isFalse();
    assertThat(child.parentSatisfied(T1)).isTrue();
  }

  @Test
  void updatedConstraintsReplaceTheOldOnesAndTheRetryLimitCountsAtOnce() {
    Job job = anActiveJob("'constraints':{'maxTaskRetryCount':2}");
    Task t = aQueuedTask(job, "'constraints':{'maxWallClockTime':'PT1H','retentionTime':'P1D','maxTaskRetryCount':0}");
    long version = t.version();

    t.updateConstraints(Jobs.body("{'constraints':{'maxWallClockTime':'PT5M','maxTaskRetryCount':1}}"), job, T1);

    TaskDefinition d = t.definition();
    assertThat(d.maxWallClockTime()).hasMinutes(5);
    assertThat(d.runSpec().maxWallClockMillis()).as("what later attempts are queued with").isEqualTo(300_000L);
    assertThat(d.retentionTime()).as("left out: the default").isEqualTo(TaskDefinition.DEFAULT_RETENTION);
    assertThat(d.maxTaskRetryCount()).isEqualTo(1);
    assertThat(d.commandLine()).isEqualTo("/bin/true");
    assertThat(t.version()).isGreaterThan(version);
    assertThat(t.lastModified()).isEqualTo(T1);
    assertThat(t.complete(exited(0, 1), true, T1).outcome()).isEqualTo(Task.Outcome.RETRIED);

    t.updateConstraints(Jobs.body("{}"), job, T1);
    assertThat(t.definition().maxTaskRetryCount()).as("left out: the job's").isEqualTo(2);
    assertThat(t.definition().maxWallClockTime()).isNull();
    assertThat(t.definition().runSpec().maxWallClockMillis()).isNull();
  }

  @Test
  void theConstraintsOfACompletedTaskCannotBeUpdatedNorCanInvalidOnesBeGiven() {
    Job job = anActiveJob("");
    Task t = aQueuedTask(job, "");
    assertThatThrownBy(() -> t.updateConstraints(Jobs.body("{'constraints':{'maxTaskRetryCount':-2}}"), job, T1))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("InvalidPropertyValue"));
    assertThatThrownBy(() -> t.updateConstraints(Jobs.body("{'constraints':{'maxWallClockTime':'soon'}}"), job, T1))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("InvalidPropertyValue"));

    t.complete(exited(0, 0), true, T1);

    assertThatThrownBy(() -> t.updateConstraints(Jobs.body("{'constraints':{'maxTaskRetryCount':3}}"), job, T1))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("TaskCompleted"));
  }

  @Test
  void theWallClockTimeSumsEveryAttemptThatRanAndTheOneRunning() {
    Task t = aQueuedTask(anActiveJob(""), "'constraints':{'maxTaskRetryCount':1}");
    assertThat(t.waitTime(T0.plusSeconds(3))).as("waiting for its first start").hasSeconds(3);
    t.start(0, NODE, T0.plusSeconds(2), T0.plusSeconds(2));
    assertThat(t.wallClockTime(T0.plusSeconds(5))).hasSeconds(3);
    assertThat(t.waitTime(T0.plusSeconds(5))).hasSeconds(2);

    t.complete(new TaskCompleted("job-1", "t1", "p", "n1", "http://agent", 0, 1, 1, T0.plusSeconds(2), T0.plusSeconds(6), EndReason.EXIT_CODE, "x"),
        true, T0.plusSeconds(7));
    t.queued(2);
    t.start(1, NODE, T0.plusSeconds(10), T0.plusSeconds(10));
    t.attemptLost(1, true, T0.plusSeconds(11));
    assertThat(t.wallClockTime(T0.plusSeconds(20))).as("4 s, then 1 s until its node was lost").hasSeconds(5);

    t.queued(3);
    t.start(2, NODE, T0.plusSeconds(20), T0.plusSeconds(20));
    t.terminate(T0.plusSeconds(30));
    assertThat(t.wallClockTime(T0.plusSeconds(99))).hasSeconds(15);
    assertThat(t.waitTime(T0.plusSeconds(99))).as("until the latest attempt started").hasSeconds(20);

    t.reactivate(T0.plusSeconds(40));
    assertThat(t.wallClockTime(T0.plusSeconds(50))).as("runs before a reactivation count").hasSeconds(15);
  }

  @Test
  void theTransitionTableRefusesIllegalMoves() {
    assertThatThrownBy(() -> TaskState.TRANSITIONS.next(TaskState.COMPLETED, TaskState.Event.START))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TaskState.TRANSITIONS.next(TaskState.RUNNING, TaskState.Event.START))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TaskState.TRANSITIONS.next(TaskState.ACTIVE, TaskState.Event.REACTIVATE))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> JobState.TRANSITIONS.next(JobState.DELETING, JobState.Event.TERMINATE))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> anActiveJob("").finishTermination(T1)).isInstanceOf(IllegalStateException.class);
  }
}
