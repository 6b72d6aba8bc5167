package dev.lote.pool.persistence;

import dev.lote.pool.domain.Pool;

/** A pool with the number of its nodes that exist. */
public record PoolRow(Pool pool, int currentDedicatedNodes) {}
