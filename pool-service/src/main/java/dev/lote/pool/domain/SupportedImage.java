package dev.lote.pool.domain;

/**
 * An image a node provider can give a pool's nodes, as Batch's {@code ImageInformation} names it.
 *
 * @param osType {@code linux} or {@code windows}
 */
public record SupportedImage(String nodeAgentSKUId, String publisher, String offer, String sku, String osType) {}
