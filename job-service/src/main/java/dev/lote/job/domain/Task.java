package dev.lote.job.domain;

import java.time.Duration;
import java.time.Instant;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.ids.BatchIds;
import tools.jackson.databind.JsonNode;

/**
 * A Batch task: its definition and its execution. Its state changes only through
 * {@link TaskState#TRANSITIONS}: active -> running -> completed, back to active for a retry, a
 * requeue or a reactivation (a new attempt). Reports about an attempt that is not the current one
 * change nothing, so a late or redelivered report of an old attempt cannot undo a newer state.
 */
public final class Task {

  /** What an end of an attempt did to the task. */
  public enum Outcome {
    IGNORED,
    /** Queued again as a new attempt, one retry used. */
    RETRIED,
    /** Queued again as a new attempt, no retry used. */
    REQUEUED,
    COMPLETED;

    /** The task needs a new task.queued. */
    public boolean queuesAgain() {
      return this == RETRIED || this == REQUEUED;
    }
  }

  /** @param options the resolved exit options when the task completed; null otherwise */
  public record Completion(Outcome outcome, ExitOptions options) {
    static final Completion IGNORED = new Completion(Outcome.IGNORED, null);
    static final Completion RETRIED = new Completion(Outcome.RETRIED, null);
    static final Completion REQUEUED = new Completion(Outcome.REQUEUED, null);
  }

  private final String account;
  private final String jobKey;
  private final String jobId;
  private TaskDefinition definition;
  private final Instant creationTime;
  private final String correlationId;
  private TaskState state;
  private Instant stateTime;
  private TaskState previousState;
  private Instant previousStateTime;
  private Instant lastModified;
  private long version;
  private int pendingParents;
  private boolean satisfiesDependents;
  private int attempt;
  private Long queueSeq;
  private int retryCount;
  private int requeueCount;
  private Instant lastRetryTime;
  private Instant startTime;
  private Instant endTime;
  private Integer exitCode;
  private String result;
  private FailureInfo failure;
  private NodePlacement placement;
  private long runMillis;

  /** @param correlationId the request id of the call that added the task; every task.queued of it carries it */
  public Task(
      String account, String jobId, TaskDefinition definition, Instant creationTime, String correlationId, TaskExecution e) {
    this.account = account;
    this.correlationId = correlationId;
    this.jobKey = BatchIds.key(jobId);
    this.jobId = jobId;
    this.definition = definition;
    this.creationTime = creationTime;
    this.state = e.state();
    this.stateTime = e.stateTime();
    this.previousState = e.previousState();
    this.previousStateTime = e.previousStateTime();
    this.lastModified = e.lastModified();
    this.version = e.version();
    this.pendingParents = e.pendingParents();
    this.satisfiesDependents = e.satisfiesDependents();
    this.attempt = e.attempt();
    this.queueSeq = e.queueSeq();
    this.retryCount = e.retryCount();
    this.requeueCount = e.requeueCount();
    this.lastRetryTime = e.lastRetryTime();
    this.startTime = e.startTime();
    this.endTime = e.endTime();
    this.exitCode = e.exitCode();
    this.result = e.result();
    this.failure = e.failure();
    this.placement = e.placement();
    this.runMillis = e.runMillis();
  }

  /** A new active task; it waits for {@code pendingParents} parents before it may be queued. */
  public static Task create(Job job, TaskDefinition definition, Instant now, int pendingParents, String correlationId) {
    return new Task(job.account(), job.id(), definition, now, correlationId, TaskExecution.fresh(now, pendingParents));
  }

  public TaskExecution execution() {
    return new TaskExecution(
        state, stateTime, previousState, previousStateTime, lastModified, version, pendingParents, satisfiesDependents,
        attempt, queueSeq, retryCount, requeueCount, lastRetryTime, startTime, endTime, exitCode, result, failure, placement,
        runMillis);
  }

  /** Active and waiting for no parent: ready to be queued for a node. */
  public boolean runnable() {
    return state == TaskState.ACTIVE && pendingParents == 0;
  }

  /** Records the sequence of the task.queued just written for the current attempt. */
  public void queued(long sequence) {
    queueSeq = sequence;
  }

  /** A parent completed in a way that satisfies this task; returns whether the task became runnable. */
  public boolean parentSatisfied(Instant now) {
    if (pendingParents == 0) {
      return false;
    }
    pendingParents--;
    touch(now);
    return runnable();
  }

  /** The node agent started the process of {@code reportedAttempt}; returns whether anything changed. */
  public boolean start(int reportedAttempt, NodePlacement where, Instant startedAt, Instant now) {
    if (!current(reportedAttempt) || !TaskState.TRANSITIONS.allows(state, TaskState.Event.START)) {
      return false;
    }
    placement = where;
    startTime = startedAt != null ? startedAt : now;
    moveTo(TaskState.Event.START, now);
    return true;
  }

  /**
   * The node agent reports the end of an attempt; what the end means is its {@link EndReason}'s to
   * say. A retriable failure is retried while retries are left, a hand-back is queued again without
   * using a retry, both only while {@code jobActive}; anything else completes the task.
   */
  public Completion complete(TaskCompleted report, boolean jobActive, Instant now) {
    if (!current(report.attempt()) || state == TaskState.COMPLETED) {
      return Completion.IGNORED;
    }
    EndReason reason = report.reason();
    ran(startTime != null ? startTime : report.startTime(), report.endTime() != null ? report.endTime() : now);
    if (reason.requeues() && jobActive) {
      return requeue(now);
    }
    if (reason.retriable() && jobActive && retriesLeft()) {
      retryCount++;
      lastRetryTime = now;
      nextAttempt(TaskState.Event.RETRY, now);
      return Completion.RETRIED;
    }
    if (report.nodeId() != null) {
      placement = new NodePlacement(report.poolId(), report.nodeId(), report.agentUrl());
    }
    if (startTime == null) {
      startTime = report.startTime();
    }
    return finish(reason, report.exitCode(), report.failureMessage(), report.endTime() != null ? report.endTime() : now, now);
  }

  /**
   * The scheduler reports that the node of {@code lostAttempt} was lost before the attempt ended.
   * The current attempt of a task not yet completed is queued again without using a retry (or,
   * when its job no longer runs tasks, completes as {@link EndReason#NODE_LOST}); any other attempt
   * changes nothing.
   */
  public Completion attemptLost(int lostAttempt, boolean jobActive, Instant now) {
    if (!current(lostAttempt) || state == TaskState.COMPLETED) {
      return Completion.IGNORED;
    }
    ran(startTime, now);
    if (jobActive) {
      return requeue(now);
    }
    return finish(EndReason.NODE_LOST, null, "The node of the task was lost", now, now);
  }

  /** A user (or its job) ends the task: it completes as a failure and its dependents stay blocked. */
  public void terminate(Instant now) {
    if (state == TaskState.COMPLETED) {
      throw completed();
    }
    if (state == TaskState.RUNNING) {
      ran(startTime, now);
    }
    moveTo(TaskState.Event.TERMINATE, now);
    endTime = now;
    result = "failure";
    failure = FailureInfo.endedByUser();
    satisfiesDependents = false;
  }

  /**
   * A user replaces the task's constraints (Task_Update; see {@link TaskDefinition#withConstraints}).
   * The retry limit counts from the next end of an attempt; the wall clock goes with the attempts
   * queued from now on, the one that may be running keeps the limit it started with.
   */
  public void updateConstraints(JsonNode constraints, Job job, Instant now) {
    TaskDefinition updated = definition.withConstraints(constraints, job);
    if (state == TaskState.COMPLETED) {
      throw completed();
    }
    definition = updated;
    touch(now);
  }

  /**
   * A user runs a task that completed as a failure again (Task_Reactivate): it is active once more
   * with its retries counted from zero, as a new attempt, and its previous exit code, result and
   * failure are gone. The requeue count and the last retry time stay, as history. A reactivated
   * task that had parents pending still waits for them.
   *
   * @return whether the task had satisfied its dependents: those still waiting must wait for it again
   */
  public boolean reactivate(Instant now) {
    if (state != TaskState.COMPLETED) {
      throw BatchErrors.conflict("TaskNotCompleted", "The specified task is not completed.");
    }
    if ("success".equals(result)) {
      throw BatchErrors.conflict("TaskSucceeded", "The specified task completed successfully and cannot be reactivated.");
    }
    boolean satisfied = satisfiesDependents;
    nextAttempt(TaskState.Event.REACTIVATE, now);
    retryCount = 0;
    endTime = null;
    exitCode = null;
    result = null;
    failure = null;
    satisfiesDependents = false;
    queueSeq = null;
    return satisfied;
  }

  /**
   * A parent that had satisfied this task was reactivated. A task still waiting for other parents
   * waits for that one again; a task already released (queued, run or completed) was released for
   * good and does not change. Returns whether the task changed.
   */
  public boolean parentReactivated(Instant now) {
    if (state != TaskState.ACTIVE || pendingParents == 0) {
      return false;
    }
    pendingParents++;
    touch(now);
    return true;
  }

  /** Adds the run of the attempt that ended to the task's run time; an attempt that never started adds nothing. */
  private void ran(Instant startedAt, Instant endedAt) {
    if (startedAt != null && endedAt.isAfter(startedAt)) {
      runMillis += Duration.between(startedAt, endedAt).toMillis();
    }
  }

  /**
   * How long the task ran on nodes (TaskStatistics.wallClockTime): every attempt that ended,
   * retries, requeues and runs before a reactivation included, and the one running up to {@code now}.
   */
  public Duration wallClockTime(Instant now) {
    Duration total = Duration.ofMillis(runMillis);
    if (state == TaskState.RUNNING && startTime != null && now.isAfter(startTime)) {
      total = total.plus(Duration.between(startTime, now));
    }
    return total;
  }

  /**
   * From the task's creation to the start of its latest attempt (TaskStatistics.waitTime); a task
   * that waits for its first start has waited until {@code now}, one that completed without
   * starting never waited for a node.
   */
  public Duration waitTime(Instant now) {
    Instant until = startTime != null ? startTime : state == TaskState.COMPLETED ? creationTime : now;
    return until.isAfter(creationTime) ? Duration.between(creationTime, until) : Duration.ZERO;
  }

  private Completion requeue(Instant now) {
    requeueCount++;
    nextAttempt(TaskState.Event.REQUEUE, now);
    return Completion.REQUEUED;
  }

  private void nextAttempt(TaskState.Event event, Instant now) {
    moveTo(event, now);
    attempt++;
    startTime = null;
  }

  private Completion finish(EndReason reason, Integer code, String message, Instant endedAt, Instant now) {
    moveTo(TaskState.Event.COMPLETE, now);
    endTime = endedAt;
    exitCode = code;
    result = reason.succeeded() ? "success" : "failure";
    failure = reason.succeeded() ? null : FailureInfo.of(reason, message);
    ExitConditions exits = definition.exitConditions();
    ExitOptions options;
    if (code == null) {
      options = exits.forPreProcessingError();
    } else if (reason == EndReason.FILE_UPLOAD_FAILED) {
      options = exits.forFileUploadError(code);
    } else if (reason.succeeded() || code != 0) {
      options = exits.forExitCode(code);
    } else {
      options = exits.forFailureWithExitCodeZero();
    }
    satisfiesDependents = options.dependencyAction() == ExitOptions.DependencyAction.SATISFY;
    return new Completion(Outcome.COMPLETED, options);
  }

  /** A report is about the current attempt only if that attempt was queued: nothing runs a task still waiting on parents. */
  private boolean current(int reportedAttempt) {
    return reportedAttempt == attempt && queueSeq != null;
  }

  private boolean retriesLeft() {
    int limit = definition.maxTaskRetryCount();
    return limit == -1 || retryCount < limit;
  }

  private static BatchException completed() {
    return BatchErrors.conflict("TaskCompleted", "The specified task is already completed.");
  }

  /** Every state change goes through the table, which refuses a move it does not hold. */
  private void moveTo(TaskState.Event event, Instant now) {
    TaskState next = TaskState.TRANSITIONS.next(state, event);
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

  public String account() {
    return account;
  }

  public String jobKey() {
    return jobKey;
  }

  /** The id of the task's job, as the job was created. */
  public String jobId() {
    return jobId;
  }

  public String id() {
    return definition.id();
  }

  public String key() {
    return BatchIds.key(definition.id());
  }

  public TaskDefinition definition() {
    return definition;
  }

  public Instant creationTime() {
    return creationTime;
  }

  /** The request id of the call that added the task; null for tasks stored before it was kept. */
  public String correlationId() {
    return correlationId;
  }

  public TaskState state() {
    return state;
  }

  public Instant lastModified() {
    return lastModified;
  }

  public long version() {
    return version;
  }

  public int attempt() {
    return attempt;
  }

  public NodePlacement placement() {
    return placement;
  }
}
