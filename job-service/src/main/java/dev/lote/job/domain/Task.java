package dev.lote.job.domain;

import java.time.Instant;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.TaskEvents;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.ids.BatchIds;

/**
 * A Batch task: its definition and its execution. active -> running -> completed, back to active
 * for a retry (a new attempt). Events of an attempt that is not the current one change nothing,
 * so a late or redelivered report of an old attempt cannot undo a newer state.
 */
public final class Task {

  /** What a completion report did to the task. */
  public enum Outcome {
    IGNORED,
    RETRIED,
    COMPLETED
  }

  /** @param options the resolved exit options when the task completed; null otherwise */
  public record Completion(Outcome outcome, ExitOptions options) {
    static final Completion IGNORED = new Completion(Outcome.IGNORED, null);
    static final Completion RETRIED = new Completion(Outcome.RETRIED, null);
  }

  private final String account;
  private final String jobKey;
  private final String jobId;
  private final TaskDefinition definition;
  private final Instant creationTime;
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

  public Task(String account, String jobId, TaskDefinition definition, Instant creationTime, TaskExecution e) {
    this.account = account;
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
  }

  /** A new active task; it waits for {@code pendingParents} parents before it may be queued. */
  public static Task create(Job job, TaskDefinition definition, Instant now, int pendingParents) {
    return new Task(job.account(), job.id(), definition, now, TaskExecution.fresh(now, pendingParents));
  }

  public TaskExecution execution() {
    return new TaskExecution(
        state, stateTime, previousState, previousStateTime, lastModified, version, pendingParents, satisfiesDependents,
        attempt, queueSeq, retryCount, requeueCount, lastRetryTime, startTime, endTime, exitCode, result, failure, placement);
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
    if (!current(reportedAttempt) || (state != TaskState.ACTIVE && state != TaskState.PREPARING)) {
      return false;
    }
    placement = where;
    startTime = startedAt != null ? startedAt : now;
    moveTo(TaskState.RUNNING, now);
    return true;
  }

  /**
   * The node agent reports the end of an attempt. A non-zero exit code is retried while retries
   * are left and {@code retryAllowed} (the job is still active); an attempt handed back because
   * its node left the pool ({@link TaskEvents#REQUEUED}) is queued again without using a retry;
   * an attempt that was ended ({@link TaskEvents#ENDED}) and anything else completes the task.
   */
  public Completion complete(TaskCompleted report, boolean retryAllowed, Instant now) {
    if (!current(report.attempt()) || state == TaskState.COMPLETED) {
      return Completion.IGNORED;
    }
    Integer code = report.exitCode();
    if (TaskEvents.REQUEUED.equals(report.failureCode()) && retryAllowed) {
      requeueCount++;
      attempt++;
      startTime = null;
      moveTo(TaskState.ACTIVE, now);
      return Completion.RETRIED;
    }
    boolean exitedNonZero = code != null && code != 0 && !TaskEvents.ENDED.equals(report.failureCode());
    if (exitedNonZero && retryAllowed && retriesLeft()) {
      retryCount++;
      lastRetryTime = now;
      attempt++;
      startTime = null;
      moveTo(TaskState.ACTIVE, now);
      return Completion.RETRIED;
    }
    if (report.nodeId() != null) {
      placement = new NodePlacement(report.poolId(), report.nodeId(), report.agentUrl());
    }
    if (startTime == null) {
      startTime = report.startTime();
    }
    endTime = report.endTime() != null ? report.endTime() : now;
    exitCode = code;
    boolean success = code != null && code == 0 && report.failureCategory() == null;
    result = success ? "success" : "failure";
    failure = success ? null : failureOf(report);
    ExitConditions exits = definition.exitConditions();
    ExitOptions options;
    if (code == null) {
      options = exits.forPreProcessingError();
    } else if (success || code != 0) {
      options = exits.forExitCode(code);
    } else {
      options = exits.forFailureAfterSuccessfulExit();
    }
    satisfiesDependents = options.dependencyAction() == ExitOptions.DependencyAction.SATISFY;
    moveTo(TaskState.COMPLETED, now);
    return new Completion(Outcome.COMPLETED, options);
  }

  /** A user (or its job) ends the task: it completes as a failure and its dependents stay blocked. */
  public void terminate(Instant now) {
    if (state == TaskState.COMPLETED) {
      throw BatchErrors.conflict("TaskCompleted", "The specified task is already completed.");
    }
    endTime = now;
    result = "failure";
    failure = FailureInfo.endedByUser();
    satisfiesDependents = false;
    moveTo(TaskState.COMPLETED, now);
  }

  /** A report is about the current attempt only if that attempt was queued: nothing runs a task still waiting on parents. */
  private boolean current(int reportedAttempt) {
    return reportedAttempt == attempt && queueSeq != null;
  }

  private boolean retriesLeft() {
    int limit = definition.maxTaskRetryCount();
    return limit == -1 || retryCount < limit;
  }

  private static FailureInfo failureOf(TaskCompleted report) {
    if (report.failureCategory() == null && report.failureCode() == null) {
      return FailureInfo.exitCode();
    }
    return new FailureInfo(
        report.failureCategory() != null ? report.failureCategory() : FailureInfo.USER_ERROR,
        report.failureCode() != null ? report.failureCode() : "FailureExitCode",
        report.failureMessage());
  }

  private void moveTo(TaskState next, Instant now) {
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
