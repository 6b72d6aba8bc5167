package dev.lote.pool.domain;

/** Batch {@code ComputeNodeError}: why a node cannot be used. */
public record NodeError(String code, String message) {}
