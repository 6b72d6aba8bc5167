package dev.lote.common.autoscale;

/** The autoscaler's own HTTP API, as the pool-service calls it (not served through the gateway). */
public final class AutoscalerApi {

  /** Evaluates a formula for a pool now, changing nothing; answers Batch's {@code AutoScaleRun}. */
  public static final String EVALUATE = "/internal/evaluate";

  /** Evaluates a formula over a pool's recorded history. */
  public static final String REPLAY = "/internal/replay";

  /** The body of {@link #EVALUATE}: the formula and what the pool is now. */
  public record EvaluateRequest(
      String account, String poolId, String formula, int targetDedicatedNodes, int targetLowPriorityNodes, int taskSlotsPerNode) {}

  private AutoscalerApi() {}
}
