package dev.lote.pool.domain;

/**
 * The part of a node the scheduler acts on; a change of it is published as {@code node.state-changed}.
 *
 * @param deallocation the option with which the node leaves its pool by a resize; null otherwise
 */
public record SchedulingView(NodeState state, int taskSlots, boolean schedulable, String agentUrl, String deallocation) {}
