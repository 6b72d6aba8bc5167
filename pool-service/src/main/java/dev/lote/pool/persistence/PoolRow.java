package dev.lote.pool.persistence;

import dev.lote.pool.domain.Pool;

/**
 * A pool with the number of its nodes that exist, and how many of those are leaving it.
 */
public record PoolRow(Pool pool, int currentDedicatedNodes, int leavingNodes) {

  /** The nodes that stay in the pool. */
  public int stayingNodes() {
    return currentDedicatedNodes - leavingNodes;
  }
}
