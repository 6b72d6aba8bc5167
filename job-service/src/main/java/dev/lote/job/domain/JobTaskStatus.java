package dev.lote.job.domain;

import java.time.Instant;

/**
 * How a job's preparation and release tasks went on one node.
 *
 * @param preparation null if the node never reported its preparation task
 * @param release     null if the release task has not run there
 */
public record JobTaskStatus(String poolId, String nodeId, Execution preparation, Execution release) {

  /** One run of a job preparation or release task on the node, as last reported. */
  public record Execution(
      String taskId,
      String state,
      Instant startTime,
      Instant endTime,
      Integer exitCode,
      int retryCount,
      String result,
      String failureCategory,
      String failureCode,
      String failureMessage) {}
}
