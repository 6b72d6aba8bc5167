package dev.lote.job.domain;

import java.time.Instant;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.ids.BatchIds;

/**
 * A Batch job: its definition and its state. Every change goes through a transition method that
 * checks the current state, records the previous one and bumps the version (which feeds the ETag).
 *
 * <p>The moves are those of {@link JobState#TRANSITIONS}; the methods here first turn the moves a
 * client may ask for in the wrong state into Batch errors.
 */
public final class Job {

  public static final String USER_TERMINATE = "UserTerminate";
  public static final String ALL_TASKS_COMPLETE = "AllTasksComplete";
  public static final String TASK_FAILED = "TaskFailed";
  public static final String MAX_WALL_CLOCK_TIME_EXPIRY = "MaxWallClockTimeExpiry";
  /** The job manager task completed and the job was to end with it ({@code killJobOnCompletion}). */
  public static final String JM_COMPLETE = "JMComplete";

  private final String account;
  private JobDefinition definition;
  private final Instant creationTime;
  private JobState state;
  private Instant stateTime;
  private JobState previousState;
  private Instant previousStateTime;
  private Instant lastModified;
  private long version;
  private Instant endTime;
  private String terminateReason;

  public Job(
      String account,
      JobDefinition definition,
      Instant creationTime,
      JobState state,
      Instant stateTime,
      JobState previousState,
      Instant previousStateTime,
      Instant lastModified,
      long version,
      Instant endTime,
      String terminateReason) {
    this.account = account;
    this.definition = definition;
    this.creationTime = creationTime;
    this.state = state;
    this.stateTime = stateTime;
    this.previousState = previousState;
    this.previousStateTime = previousStateTime;
    this.lastModified = lastModified;
    this.version = version;
    this.endTime = endTime;
    this.terminateReason = terminateReason;
  }

  public static Job create(String account, JobDefinition definition, Instant now) {
    return new Job(account, definition, now, JobState.ACTIVE, now, null, null, now, 1, null, null);
  }

  /** Tasks may be added to a job that is not ending: active, or disabled (they wait until it is enabled). */
  public void checkAcceptsTasks() {
    refuseIfEnding();
  }

  /**
   * Disables the job; true when it moved, false when it was already disabling or disabled (the
   * call is accepted and changes nothing, as Azure does).
   */
  public boolean disable(Instant now) {
    switch (state) {
      case ACTIVE -> {}
      case DISABLING, DISABLED -> {
        return false;
      }
      case ENABLING -> throw BatchErrors.conflict("JobNotActive", "The specified job is being enabled; disable it once it is active.");
      default -> refuseIfEnding();
    }
    moveTo(JobState.Event.DISABLE, now);
    return true;
  }

  /** A disabling job whose stopped tasks left their nodes is disabled. */
  public void finishDisabling(Instant now) {
    moveTo(JobState.Event.DISABLED, now);
  }

  /**
   * Enables a disabling or disabled job, which is active again at once (through enabling, which
   * the previous state shows); true when it moved, false when it was already active.
   */
  public boolean enable(Instant now) {
    switch (state) {
      case DISABLING, DISABLED -> {}
      case ACTIVE, ENABLING -> {
        return false;
      }
      default -> refuseIfEnding();
    }
    moveTo(JobState.Event.ENABLE, now);
    moveTo(JobState.Event.ENABLED, now);
    return true;
  }

  /**
   * Replaces the changeable properties (update and patch): the pool only while the job is disabled,
   * and {@code onAllTasksComplete} never back from {@code terminatejob} to {@code noaction}.
   */
  public void change(JobDefinition changed, Instant now) {
    refuseIfEnding();
    if (!changed.poolId().equals(definition.poolId()) && state != JobState.DISABLED) {
      throw BatchErrors.conflict(
          "OperationInvalidForCurrentState", "The pool of a job may be changed only while the job is disabled; disable it first.");
    }
    if (definition.onAllTasksComplete() == OnAllTasksComplete.TERMINATEJOB
        && changed.onAllTasksComplete() == OnAllTasksComplete.NOACTION) {
      throw BatchErrors.invalidProperty(
          "onAllTasksComplete", "noaction", "A job's onAllTasksComplete cannot be changed from terminatejob back to noaction.");
    }
    definition = changed;
    touch(now);
  }

  /** Refuses a change of a job that is terminating, completed or being deleted. */
  private void refuseIfEnding() {
    switch (state) {
      case TERMINATING -> throw beingTerminated();
      case COMPLETED -> throw completed();
      case DELETING -> throw beingDeleted();
      default -> {}
    }
  }

  /** Starts termination: the job waits in terminating until none of its tasks runs any more. */
  public void beginTermination(String reason, Instant now) {
    refuseIfEnding();
    terminateReason = reason == null || reason.isBlank() ? USER_TERMINATE : reason;
    moveTo(JobState.Event.TERMINATE, now);
  }

  /** A terminating job whose tasks stopped running completes. */
  public void finishTermination(Instant now) {
    moveTo(JobState.Event.FINISH, now);
    endTime = now;
  }

  /** An active job completes at once because every one of its tasks completed. */
  public void completeAllTasksDone(Instant now) {
    moveTo(JobState.Event.ALL_TASKS_COMPLETE, now);
    terminateReason = ALL_TASKS_COMPLETE;
    endTime = now;
  }

  public void beginDeletion(Instant now) {
    if (state == JobState.DELETING) {
      throw beingDeleted();
    }
    moveTo(JobState.Event.DELETE, now);
  }

  /** The retry limit of a task: its own when it set one, else the job's. */
  public int retryLimit(Integer taskOwn) {
    return taskOwn != null ? taskOwn : definition.maxTaskRetryCount();
  }

  /** Whether the job's wall clock (measured from its creation) ran out at {@code now}. */
  public boolean wallClockExpired(Instant now) {
    return state == JobState.ACTIVE
        && definition.maxWallClockTime() != null
        && !now.isBefore(creationTime.plus(definition.maxWallClockTime()));
  }

  /** Every state change goes through the table, which refuses a move it does not hold. */
  private void moveTo(JobState.Event event, Instant now) {
    JobState next = JobState.TRANSITIONS.next(state, event);
    previousState = state;
    previousStateTime = stateTime;
    state = next;
    stateTime = now;
    touch(now);
  }

  private void touch(Instant now) {
    lastModified = now.isAfter(lastModified) ? now : lastModified;
    version++;
  }

  private static BatchException beingTerminated() {
    return BatchErrors.conflict("JobBeingTerminated", "The specified job is being terminated.");
  }

  private static BatchException completed() {
    return BatchErrors.conflict("JobCompleted", "The specified job is already in a completed state.");
  }

  private static BatchException beingDeleted() {
    return BatchErrors.conflict("JobBeingDeleted", "The specified job has been marked for deletion and is being deleted.");
  }

  public String account() {
    return account;
  }

  public String id() {
    return definition.id();
  }

  public String key() {
    return BatchIds.key(definition.id());
  }

  public JobDefinition definition() {
    return definition;
  }

  public Instant creationTime() {
    return creationTime;
  }

  public JobState state() {
    return state;
  }

  public boolean isActive() {
    return state == JobState.ACTIVE;
  }

  /** Not ending: its tasks may still be added, retried and requeued. */
  public boolean isOpen() {
    return state.open();
  }

  public Instant stateTime() {
    return stateTime;
  }

  public JobState previousState() {
    return previousState;
  }

  public Instant previousStateTime() {
    return previousStateTime;
  }

  public Instant lastModified() {
    return lastModified;
  }

  public long version() {
    return version;
  }

  public Instant endTime() {
    return endTime;
  }

  public String terminateReason() {
    return terminateReason;
  }
}
