package dev.lote.pool.persistence;

import dev.lote.pool.domain.Pool;

/**
 * A pool with the number of its dedicated and low-priority nodes that exist, and how many of each
 * are leaving it.
 */
public record PoolRow(Pool pool, int currentDedicatedNodes, int currentLowPriorityNodes, int leavingDedicated, int leavingLowPriority) {

  /** The nodes of a kind that stay in the pool. */
  public int stayingNodes(boolean dedicated) {
    return dedicated ? currentDedicatedNodes - leavingDedicated : currentLowPriorityNodes - leavingLowPriority;
  }

  /** Every node of the pool, staying or leaving. */
  public int currentNodes() {
    return currentDedicatedNodes + currentLowPriorityNodes;
  }
}
