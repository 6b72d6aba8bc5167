package dev.lote.common.events;

import java.time.Instant;

/** Payloads about compute nodes. */
public final class NodeEvents {

  /**
   * Published by the pool-service on {@link Topics#NODES} whenever a node's state changes.
   *
   * @param state       Azure Batch node state, lower case ({@code idle}, {@code starting}, ...)
   * @param schedulable whether the scheduler may place tasks on the node now
   */
  public record NodeStateChanged(
      String poolId, String nodeId, String state, int taskSlots, boolean schedulable, String agentUrl) {}

  /**
   * Published by a node agent on {@link Topics#NODE_REPORTS} when its own state changes (start task
   * running, start task failed, ready).
   */
  public record NodeReported(
      String poolId,
      String nodeId,
      String state,
      String agentUrl,
      String ipAddress,
      StartTaskOutcome startTask,
      Instant time) {}

  /** What the start task did; null fields when it has not finished. */
  public record StartTaskOutcome(
      String state, Integer exitCode, Instant startTime, Instant endTime, int retryCount, String failureMessage) {}

  /** Published by a node agent on {@link Topics#NODE_REPORTS} at a fixed interval. */
  public record NodeHeartbeat(String poolId, String nodeId, int runningTasks, Instant time) {}

  private NodeEvents() {}
}
