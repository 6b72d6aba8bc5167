package dev.lote.job.domain;

import java.time.Instant;

/**
 * A subtask of a multi-instance task (Batch {@code SubtaskInformation}): one of the instances 1 to
 * n-1 of the task's latest attempt, on a node of its own. The primary instance is the task itself.
 *
 * @param state           {@code preparing}, {@code running} or {@code completed}
 * @param exitCode        null until it completed, or when no process ran
 * @param result          {@code success} or {@code failure}; null until it completed
 * @param failureCode     null unless it failed; with the category and message of Batch's {@code failureInfo}
 */
public record Subtask(
    int id,
    int attempt,
    String poolId,
    String nodeId,
    String state,
    Instant stateTime,
    String previousState,
    Instant previousStateTime,
    Instant startTime,
    Instant endTime,
    Integer exitCode,
    String result,
    String failureCategory,
    String failureCode,
    String failureMessage) {}
