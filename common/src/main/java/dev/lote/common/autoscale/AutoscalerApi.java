package dev.lote.common.autoscale;

/** The autoscaler's own HTTP API, as the pool-service calls it (not served through the gateway). */
public final class AutoscalerApi {

  /** Evaluates a formula for a pool now, changing nothing; answers Batch's {@code AutoScaleRun}. */
  public static final String EVALUATE = "/internal/evaluate";

  /** Evaluates a formula over a pool's recorded history. */
  public static final String REPLAY = "/internal/replay";

  /**
   * A node's recent resource figures from its heartbeats, oldest first, as {@link NodeMetricsHistory};
   * query parameters {@code account} and {@code poolId}.
   */
  public static final String NODE_METRICS = "/internal/nodes/{nodeId}/metrics";

  /** One heartbeat's figures of a node. */
  public record NodeMetricsSample(java.time.Instant time, dev.lote.common.events.NodeEvents.NodeMetrics metrics) {}

  /** The answer of {@link #NODE_METRICS}. */
  public record NodeMetricsHistory(String poolId, String nodeId, java.util.List<NodeMetricsSample> samples) {}

  /** The body of {@link #EVALUATE}: the formula and what the pool is now. */
  public record EvaluateRequest(
      String account, String poolId, String formula, int targetDedicatedNodes, int targetLowPriorityNodes, int taskSlotsPerNode) {}

  private AutoscalerApi() {}
}
