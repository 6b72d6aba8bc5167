package dev.lote.common.events;

import java.time.Instant;
import java.util.List;

/** Payloads about compute nodes. */
public final class NodeEvents {

  /**
   * Published by the pool-service on {@link Topics#NODES} whenever a node's state changes.
   *
   * @param state       Azure Batch node state, lower case ({@code idle}, {@code starting}, ...)
   * @param schedulable whether the scheduler may place tasks on the node now
   * @param deallocation null, or the {@code nodeDeallocationOption} with which the node is leaving
   *     its pool ({@code requeue}, {@code terminate}, {@code taskcompletion}, {@code retaineddata})
   * @param removed     the node is gone: its process was stopped and it left the pool
   * @param lost        the node's agent fell silent past its heartbeat time-to-live, or the node was
   *     preempted: nothing placed there will report its end, so the scheduler gives those attempts
   *     up ({@code attempt.lost})
   * @param stopTasks   null, or how the scheduler stops the attempts placed on the node, once, as its
   *     task scheduling is disabled: {@code requeue} (handed back, queued again) or {@code terminate}
   *     (ended); with {@code taskcompletion} they finish and the field is null
   * @param lowPriority a low-priority (spot) node; false (absent) for a dedicated one
   */
  public record NodeStateChanged(
      String poolId,
      String nodeId,
      String state,
      int taskSlots,
      boolean schedulable,
      String agentUrl,
      String deallocation,
      boolean removed,
      boolean lost,
      String stopTasks,
      boolean lowPriority) {

    /** A change of a dedicated node that stops no task. */
    public NodeStateChanged(
        String poolId, String nodeId, String state, int taskSlots, boolean schedulable, String agentUrl, String deallocation, boolean removed,
        boolean lost) {
      this(poolId, nodeId, state, taskSlots, schedulable, agentUrl, deallocation, removed, lost, null, false);
    }

    /** A change of a dedicated node. */
    public NodeStateChanged(
        String poolId, String nodeId, String state, int taskSlots, boolean schedulable, String agentUrl, String deallocation, boolean removed,
        boolean lost, String stopTasks) {
      this(poolId, nodeId, state, taskSlots, schedulable, agentUrl, deallocation, removed, lost, stopTasks, false);
    }

    /** A change that stops no task. */
    public NodeStateChanged(
        String poolId, String nodeId, String state, int taskSlots, boolean schedulable, String agentUrl, String deallocation, boolean removed,
        boolean lost, boolean lowPriority) {
      this(poolId, nodeId, state, taskSlots, schedulable, agentUrl, deallocation, removed, lost, null, lowPriority);
    }

    /** A node that is not leaving its pool. */
    public NodeStateChanged(String poolId, String nodeId, String state, int taskSlots, boolean schedulable, String agentUrl) {
      this(poolId, nodeId, state, taskSlots, schedulable, agentUrl, null, false, false);
    }

    /** A node whose agent answers. */
    public NodeStateChanged(
        String poolId, String nodeId, String state, int taskSlots, boolean schedulable, String agentUrl, String deallocation, boolean removed) {
      this(poolId, nodeId, state, taskSlots, schedulable, agentUrl, deallocation, removed, false);
    }
  }

  /**
   * scheduler-service, {@link Topics#nodeCommands}: the node leaves its pool. Sent once the
   * scheduler has stopped placing tasks on the node, with every attempt it had placed there and
   * not yet seen end, so that the agent knows which assignments are still on their way to it.
   * The agent stops taking work; running tasks are requeued ({@code requeue}), ended
   * ({@code terminate}) or run to their end ({@code taskcompletion}, {@code retaineddata});
   * tasks that have not started are requeued. When nothing is left it reports
   * {@code deallocated}.
   */
  public record NodeDeallocate(String nodeId, String option, List<AttemptRef> assigned) {}

  /** One attempt of one task. */
  public record AttemptRef(String jobId, String taskId, int attempt) {}

  /**
   * Published by a node agent on {@link Topics#NODE_REPORTS} when its own state changes (start task
   * running, start task failed, ready).
   *
   * @param errors what the agent found wrong with the node that it keeps running with (for example
   *     {@code NodeAgentNotPrivileged}: tasks run as the agent's own user); empty or null when none
   */
  public record NodeReported(
      String poolId,
      String nodeId,
      String state,
      String agentUrl,
      String ipAddress,
      StartTaskOutcome startTask,
      Instant time,
      List<NodeAgentError> errors) {

    /** A report without errors. */
    public NodeReported(String poolId, String nodeId, String state, String agentUrl, String ipAddress, StartTaskOutcome startTask, Instant time) {
      this(poolId, nodeId, state, agentUrl, ipAddress, startTask, time, null);
    }
  }

  /** A Batch {@code ComputeNodeError} the node agent reports about its node. */
  public record NodeAgentError(String code, String message) {}

  /** What the start task did; null fields when it has not finished. */
  public record StartTaskOutcome(
      String state, Integer exitCode, Instant startTime, Instant endTime, int retryCount, String failureMessage) {}

  /**
   * Published by a node agent on {@link Topics#NODE_REPORTS} at a fixed interval.
   *
   * <p>The agent's own word on how busy it is: the pool-service takes a node's idle or running
   * state from it.
   *
   * @param runningTasks attempts whose process runs now
   * @param metrics      what the node's host used since the previous heartbeat; null if not sampled
   * @param runningSlots slots those attempts hold
   * @param errors       what is wrong with the node now, as its last {@link NodeReported} says and
   *     what came since (for example {@code DiskFull} while its disk has less free space than a
   *     task is promised); null or empty when nothing is
   */
  public record NodeHeartbeat(
      String poolId, String nodeId, int runningTasks, Instant time, NodeMetrics metrics, int runningSlots, List<NodeAgentError> errors) {

    public NodeHeartbeat(String poolId, String nodeId, int runningTasks, Instant time, NodeMetrics metrics, int runningSlots) {
      this(poolId, nodeId, runningTasks, time, metrics, runningSlots, null);
    }

    public NodeHeartbeat(String poolId, String nodeId, int runningTasks, Instant time, NodeMetrics metrics) {
      this(poolId, nodeId, runningTasks, time, metrics, runningTasks, null);
    }

    public NodeHeartbeat(String poolId, String nodeId, int runningTasks, Instant time) {
      this(poolId, nodeId, runningTasks, time, null, runningTasks, null);
    }
  }

  /**
   * Resource use of a node's host, as the autoscale metrics need it. Counters are what happened
   * during {@code intervalMillis}, the time since the previous sample; gauges are the value now.
   *
   * @param cpuPercent    average CPU use of all cores over the interval, 0 to 100
   * @param memoryBytes   memory in use (total minus available)
   * @param diskBytes     space in use on the file system holding the node's directory
   */
  public record NodeMetrics(
      long intervalMillis,
      double cpuPercent,
      long memoryBytes,
      long diskBytes,
      long diskReadBytes,
      long diskWriteBytes,
      long diskReadOps,
      long diskWriteOps,
      long networkInBytes,
      long networkOutBytes) {}

  private NodeEvents() {}
}
