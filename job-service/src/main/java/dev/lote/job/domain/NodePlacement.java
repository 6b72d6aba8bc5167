package dev.lote.job.domain;

/** Where a task ran last: its pool, node and the node agent that serves its files. */
public record NodePlacement(String poolId, String nodeId, String agentUrl) {}
