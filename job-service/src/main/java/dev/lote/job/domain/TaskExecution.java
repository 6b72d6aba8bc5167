package dev.lote.job.domain;

import java.time.Instant;

/**
 * The changing part of a task, as stored.
 *
 * @param pendingParents      parents that have not yet completed in a way that satisfies this task
 * @param satisfiesDependents this task completed and lets its dependents run
 * @param attempt             0 for the first run; events of other attempts are stale
 * @param queueSeq            sequence of the task.queued of the current attempt (FIFO within the job); null
 *                            while the attempt is not queued (waiting for parents, also after a reactivation)
 * @param result              success or failure once completed
 * @param placement           the node of the latest attempt that started; null before
 * @param runMillis           how long the attempts that ended ran, from their start to their end, summed
 */
public record TaskExecution(
    TaskState state,
    Instant stateTime,
    TaskState previousState,
    Instant previousStateTime,
    Instant lastModified,
    long version,
    int pendingParents,
    boolean satisfiesDependents,
    int attempt,
    Long queueSeq,
    int retryCount,
    int requeueCount,
    Instant lastRetryTime,
    Instant startTime,
    Instant endTime,
    Integer exitCode,
    String result,
    FailureInfo failure,
    NodePlacement placement,
    long runMillis) {

  static TaskExecution fresh(Instant now, int pendingParents) {
    return new TaskExecution(
        TaskState.ACTIVE, now, null, null, now, 1, pendingParents, false, 0, null, 0, 0, null, null, null, null, null, null, null, 0);
  }
}
