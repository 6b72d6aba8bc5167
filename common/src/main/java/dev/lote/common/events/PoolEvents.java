package dev.lote.common.events;

/** Payloads published by the pool-service on {@link Topics#POOLS}. */
public final class PoolEvents {

  public record PoolCreated(String poolId, String vmSize, int taskSlotsPerNode, int targetDedicatedNodes) {}

  public record PoolResized(String poolId, int targetDedicatedNodes, int targetLowPriorityNodes) {}

  public record PoolDeleted(String poolId) {}

  private PoolEvents() {}
}
