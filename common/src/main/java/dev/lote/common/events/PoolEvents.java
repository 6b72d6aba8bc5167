package dev.lote.common.events;

import java.time.Instant;
import java.util.List;

/** Payloads published by the pool-service on {@link Topics#POOLS}. */
public final class PoolEvents {

  /**
   * @param nodeFillType the pool's {@code taskSchedulingPolicy.nodeFillType}: {@code spread} (the
   *     default) or {@code pack}
   * @param targetLowPriorityNodes the pool's low-priority target (0 when absent, as from a writer
   *     that predates it)
   * @param enableInterNodeCommunication the pool's nodes may talk to each other: its multi-instance
   *     tasks may run (false when absent)
   */
  public record PoolCreated(
      String poolId, String vmSize, int taskSlotsPerNode, int targetDedicatedNodes, String nodeFillType, int targetLowPriorityNodes,
      boolean enableInterNodeCommunication) {

    public PoolCreated(String poolId, String vmSize, int taskSlotsPerNode, int targetDedicatedNodes, String nodeFillType, int targetLowPriorityNodes) {
      this(poolId, vmSize, taskSlotsPerNode, targetDedicatedNodes, nodeFillType, targetLowPriorityNodes, false);
    }

    public PoolCreated(String poolId, String vmSize, int taskSlotsPerNode, int targetDedicatedNodes, String nodeFillType) {
      this(poolId, vmSize, taskSlotsPerNode, targetDedicatedNodes, nodeFillType, 0);
    }

    public PoolCreated(String poolId, String vmSize, int taskSlotsPerNode, int targetDedicatedNodes) {
      this(poolId, vmSize, taskSlotsPerNode, targetDedicatedNodes, "spread");
    }
  }

  public record PoolResized(String poolId, int targetDedicatedNodes, int targetLowPriorityNodes) {}

  public record PoolDeleted(String poolId) {}

  /**
   * The pool's autoscale settings changed: enabled (with a formula and interval), or disabled
   * ({@code formula} and {@code interval} null). Also published right after {@code pool.created}
   * for a pool created with autoscale.
   *
   * @param interval               ISO-8601, e.g. {@code PT5M}
   * @param targetDedicatedNodes   the pool's target when the settings changed
   * @param taskSlotsPerNode       for the formula's {@code $TaskSlotsPerNode}
   * @param targetLowPriorityNodes the pool's low-priority target when the settings changed
   */
  public record PoolAutoScaleChanged(
      String poolId, boolean enabled, String formula, String interval, int targetDedicatedNodes, int taskSlotsPerNode, int targetLowPriorityNodes) {

    public PoolAutoScaleChanged(String poolId, boolean enabled, String formula, String interval, int targetDedicatedNodes, int taskSlotsPerNode) {
      this(poolId, enabled, formula, interval, targetDedicatedNodes, taskSlotsPerNode, 0);
    }
  }

  /**
   * autoscaler, {@link Topics#AUTOSCALE}: one evaluation of a pool's formula. On success
   * {@code error} is null and the targets are set; on failure the pool keeps its size.
   *
   * @param formula the formula evaluated; the pool-service ignores a run of a formula it no longer has
   */
  public record AutoScaleEvaluated(
      String poolId,
      String formula,
      Instant timestamp,
      String results,
      AutoScaleError error,
      Integer targetDedicatedNodes,
      Integer targetLowPriorityNodes,
      String nodeDeallocationOption) {}

  /** Batch {@code AutoScaleRunError}: code, message and name/value details. */
  public record AutoScaleError(String code, String message, List<NameValue> values) {}

  public record NameValue(String name, String value) {}

  private PoolEvents() {}
}
